import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { createKysely } from '../../platform/db/pool.ts';
import type { DeployDb } from './db.ts';
import { DeployRepository } from './repository.ts';

/** A process release (Node.js or container) that is live: the front proxy sends its requests straight to its socket while it runs. */
export interface EdgeRoute {
  slug: string;
  /** The app's slot: its uid offset, given once per project and never to another (so a slot never changes hands). */
  slot: number;
  /** The live release's socket. */
  socket: string;
  /** Whether the operator wants it running; a stopped app is left to Aula (which answers that it is stopped). */
  running: boolean;
}

/** The files deploy keeps for a front proxy (HAProxy in `aula cluster`). */
export interface EdgeFiles {
  dir: string;
  /** HAProxy map: `<slug> app_<slot>`, one line per running app with a process release. */
  map: string;
  /** `<slot>.sock`: a symbolic link to the app's live release's socket, replaced atomically at a switch. */
  sockets: string;
}

/** Where the edge files live under Aula's data directory (the same on every process of one machine). */
export function edgeFiles(dataDir: string): EdgeFiles {
  const dir = path.join(dataDir, 'deploy', 'edge');
  return { dir, map: path.join(dir, 'apps.map'), sockets: path.join(dir, 'sockets') };
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$/;
const SAFE_PATH = /^\/[A-Za-z0-9/._-]+$/;
const HEADER_VALUE = /^[ !#%-[\]-~]*$/; // printable ASCII without ", $ or \: taken literally inside HAProxy's double quotes

/** HAProxy-quoted JSON body in the one error format. */
const errorBody = (code: string, message: string) => JSON.stringify(JSON.stringify({ error: { code, message } }));

/**
 * HAProxy backends `app_0` … `app_<count-1>`, one per slot, each connecting to
 * its slot's socket link: Authorization is not forwarded, the app learns its
 * prefix, each response carries Aula's security headers unless the app set its
 * own, and failures answer in the one error format. Generic, so apps come and go
 * without a reload: only the map and the links change.
 */
export function edgeBackends(count: number, files: EdgeFiles, headers: Record<string, string>): string {
  if (!SAFE_PATH.test(files.sockets)) throw new Error(`the data directory's path cannot go into HAProxy's configuration: ${files.sockets}`);
  const rules = [
    '  timeout server 60s',
    '  timeout tunnel 1h',
    '  # An idle connection the old release closed at a switch is retried on a new one (to the new release).',
    '  retry-on conn-failure empty-response',
    '  retries 2',
    '  http-request del-header authorization',
    '  http-request set-header x-forwarded-prefix /apps/%[path,field(3,/)]',
    ...Object.entries(headers)
      .filter(([name, value]) => /^[a-z0-9-]+$/.test(name) && HEADER_VALUE.test(value))
      .map(([name, value]) => `  http-response set-header ${name} "${value}" unless { res.hdr(${name}) -m found }`),
    `  http-error status 502 content-type application/json string ${errorBody('bad_gateway', 'the app did not answer')}`,
    `  http-error status 503 content-type application/json string ${errorBody('bad_gateway', 'the app did not answer')}`,
    `  http-error status 504 content-type application/json string ${errorBody('gateway_timeout', 'the app took too long to answer')}`,
  ];
  const lines: string[] = [];
  for (let slot = 0; slot < count; slot++) lines.push('', `backend app_${slot}`, ...rules, `  server live unix@${files.sockets}/${slot}.sock`);
  return `${lines.join('\n')}\n`;
}

/** The HAProxy map of the running routes: slug → its slot's backend. */
export function edgeMap(routes: Array<{ slug: string; slot: number; running?: boolean }>): string {
  return routes
    .filter((r) => r.running !== false)
    .map((r) => `${r.slug} app_${r.slot}\n`)
    .join('');
}

/** The slug → slot entries of a map's text. */
export function mapEntries(text: string): Map<string, number> {
  return new Map(
    text.split('\n').flatMap((line) => {
      const [slug, backend] = line.trim().split(/\s+/);
      const slot = slotOfBackend(backend ?? '');
      return slug && slot !== undefined ? [[slug, slot] as const] : [];
    }),
  );
}

/** The slot of a backend named `app_<slot>`. */
export function slotOfBackend(backend: string): number | undefined {
  const match = /^app_(\d{1,9})$/.exec(backend);
  return match ? Number(match[1]) : undefined;
}

/** Writes a file whole or not at all (a reader sees the old or the new text). */
async function replaceFile(file: string, text: string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await fs.writeFile(temporary, text, { mode: 0o600 });
  await fs.rename(temporary, file);
}

/** Points a link at `target`, replacing any link already there in one step. */
async function replaceLink(link: string, target: string): Promise<void> {
  if ((await fs.readlink(link).catch(() => undefined)) === target) return;
  const temporary = `${link}.tmp-${process.pid}`;
  await fs.rm(temporary, { force: true });
  await fs.symlink(target, temporary);
  await fs.rename(temporary, link);
}

/**
 * Keeps the edge files equal to the routes it is given. A switch to a new
 * release re-points the slot's socket link; starting, stopping, adding or
 * removing an app changes the map. Links first, then the map, so a map entry
 * never names a slot whose link is missing.
 */
export class EdgeWriter {
  private last: string | undefined;

  constructor(private readonly files: EdgeFiles) {}

  async write(routes: EdgeRoute[]): Promise<void> {
    const sorted = [...routes].sort((a, b) => a.slug.localeCompare(b.slug));
    for (const r of sorted) {
      if (!SLUG.test(r.slug) || !SAFE_PATH.test(r.socket) || !Number.isInteger(r.slot) || r.slot < 0) throw new Error(`unsafe edge route: ${r.slug}`);
    }
    await fs.mkdir(this.files.sockets, { recursive: true, mode: 0o700 });
    for (const route of sorted) await replaceLink(path.join(this.files.sockets, `${route.slot}.sock`), route.socket);
    const map = edgeMap(sorted);
    // Compared with the file itself: a restarted process writing the same routes changes nothing.
    this.last ??= await fs.readFile(this.files.map, 'utf8').catch(() => '');
    if (this.last !== map) {
      await replaceFile(this.files.map, map);
      this.last = map;
    }
    const linked = new Set(sorted.map((r) => `${r.slot}.sock`));
    for (const entry of await fs.readdir(this.files.sockets)) if (!linked.has(entry)) await fs.rm(path.join(this.files.sockets, entry), { force: true });
  }
}

/** Creates the map (empty) and the links' directory where none exist yet, so a front proxy can load them before any app runs. */
export async function ensureEdgeFiles(files: EdgeFiles): Promise<void> {
  await fs.mkdir(files.sockets, { recursive: true, mode: 0o700 });
  await fs.writeFile(files.map, '', { flag: 'a', mode: 0o600 });
}

/** The queue whose worker runs the apps (and writes the edge files): one such process per machine. */
export const APP_RUNNER_QUEUE = 'deploy.build';

/** Adds requests and 5xx answers that the front proxy served for an app to its counters (seen by the API). */
export function appTrafficRecorder(pool: pg.Pool): (slug: string, requests: number, errors: number) => Promise<void> {
  const repo = new DeployRepository(createKysely<DeployDb>(pool));
  return async (slug, requests, errors) => {
    await repo.addRequests(slug, requests, errors);
  };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { createKysely } from '../../platform/db/pool.ts';
import { securityHeaderValues } from '../../platform/http/security-headers.ts';
import type { DeployDb } from './db.ts';
import { DeployRepository } from './repository.ts';

/** A Node.js app with a live release: the front proxy sends its requests straight to that release's socket while it runs. */
export interface EdgeRoute {
  slug: string;
  /** The live release's socket. */
  socket: string;
  /** Whether the operator wants it running; a stopped app is left to Aula (which answers that it is stopped). */
  running: boolean;
}

/** The files deploy keeps for a front proxy (HAProxy in `aula cluster`). */
export interface EdgeFiles {
  dir: string;
  /** HAProxy map: `<slug> app_<slug>`, one line per running Node.js app. */
  map: string;
  /** HAProxy configuration fragment: one backend per app with a live Node.js release, connecting to its link in `sockets`. */
  backends: string;
  /** `<slug>.sock`: a symbolic link to the live release's socket, replaced atomically at a switch (no proxy reload). */
  sockets: string;
}

/** Where the edge files live under Aula's data directory (the same on every process of one machine). */
export function edgeFiles(dataDir: string): EdgeFiles {
  const dir = path.join(dataDir, 'deploy', 'edge');
  return { dir, map: path.join(dir, 'apps.map'), backends: path.join(dir, 'apps.cfg'), sockets: path.join(dir, 'sockets') };
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$/;
const SAFE_PATH = /^\/[A-Za-z0-9/._-]+$/;
const HEADER_VALUE = /^[ !#%-[\]-~]*$/; // printable ASCII without ", $ or \: taken literally inside HAProxy's double quotes

/** HAProxy-quoted JSON body in the one error format. */
const errorBody = (code: string, message: string) => JSON.stringify(JSON.stringify({ error: { code, message } }));

/**
 * The HAProxy backends of the routes: Authorization is not forwarded, the app
 * learns its prefix, each response carries Aula's security headers unless the
 * app set its own, and failures answer in the one error format.
 */
export function edgeBackends(routes: Array<{ slug: string; socket: string }>, headers: Record<string, string>): string {
  const lines = ['# Written by the deploy module whenever the set of Node.js apps changes: edits are overwritten.'];
  for (const route of routes) {
    if (!SLUG.test(route.slug) || !SAFE_PATH.test(route.socket)) throw new Error(`unsafe edge route: ${route.slug}`);
    lines.push(
      '',
      `backend app_${route.slug}`,
      '  timeout server 60s',
      '  timeout tunnel 1h',
      '  # An idle connection the old release closed at a switch is retried on a new one (to the new release).',
      '  retry-on conn-failure empty-response',
      '  retries 2',
      '  http-request del-header authorization',
      `  http-request set-header x-forwarded-prefix /apps/${route.slug}`,
      ...Object.entries(headers)
        .filter(([name, value]) => /^[a-z0-9-]+$/.test(name) && HEADER_VALUE.test(value))
        .map(([name, value]) => `  http-response set-header ${name} "${value}" unless { res.hdr(${name}) -m found }`),
      `  http-error status 502 content-type application/json string ${errorBody('bad_gateway', 'the app did not answer')}`,
      `  http-error status 503 content-type application/json string ${errorBody('bad_gateway', 'the app did not answer')}`,
      `  http-error status 504 content-type application/json string ${errorBody('gateway_timeout', 'the app took too long to answer')}`,
      `  server live unix@${route.socket}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The HAProxy map of the running routes: slug → backend name. */
export function edgeMap(routes: Array<{ slug: string; running?: boolean }>): string {
  return routes
    .filter((r) => r.running !== false)
    .map((r) => `${r.slug} app_${r.slug}\n`)
    .join('');
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
 * release only re-points the app's socket link; starting or stopping an app
 * changes only the map; the backends change when an app gets its first
 * Node.js release or goes. Links first, then backends, then the map, so a
 * reader never finds a map entry whose backend or link is missing.
 */
export class EdgeWriter {
  private last: string | undefined;
  private headers: Promise<Record<string, string>> | undefined;

  constructor(private readonly files: EdgeFiles) {}

  async write(routes: EdgeRoute[]): Promise<void> {
    const sorted = [...routes].sort((a, b) => a.slug.localeCompare(b.slug));
    await fs.mkdir(this.files.sockets, { recursive: true, mode: 0o700 });
    for (const route of sorted) await replaceLink(path.join(this.files.sockets, `${route.slug}.sock`), route.socket);
    this.headers ??= securityHeaderValues();
    const backends = edgeBackends(
      sorted.map((r) => ({ slug: r.slug, socket: path.join(this.files.sockets, `${r.slug}.sock`) })),
      await this.headers,
    );
    const map = edgeMap(sorted);
    if (this.last !== backends + map) {
      await replaceFile(this.files.backends, backends);
      await replaceFile(this.files.map, map);
      this.last = backends + map;
    }
    const linked = new Set(sorted.map((r) => `${r.slug}.sock`));
    for (const entry of await fs.readdir(this.files.sockets)) if (!linked.has(entry)) await fs.rm(path.join(this.files.sockets, entry), { force: true });
  }
}

/** Creates empty edge files where none exist yet, so a front proxy can load them before any app runs. */
export async function ensureEdgeFiles(files: EdgeFiles): Promise<void> {
  await fs.mkdir(files.dir, { recursive: true, mode: 0o700 });
  for (const file of [files.backends, files.map]) await fs.writeFile(file, '', { flag: 'a', mode: 0o600 });
}

/** The HAProxy backend name of an app, and back. */
export const slugOfBackend = (backend: string): string | undefined => {
  const slug = backend.startsWith('app_') ? backend.slice(4) : '';
  return SLUG.test(slug) ? slug : undefined;
};

/** The queue whose worker runs the apps (and writes the edge files): one such process per machine. */
export const APP_RUNNER_QUEUE = 'deploy.build';

/** Adds requests and 5xx answers that the front proxy served for an app to its counters (seen by the API). */
export function appTrafficRecorder(pool: pg.Pool): (slug: string, requests: number, errors: number) => Promise<void> {
  const repo = new DeployRepository(createKysely<DeployDb>(pool));
  return async (slug, requests, errors) => {
    await repo.addRequests(slug, requests, errors);
  };
}

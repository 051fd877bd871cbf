import fs from 'node:fs';
import type pg from 'pg';
import type { Logger } from '../../../platform/logger.ts';
import { appTrafficRecorder, type EdgeFiles, slugOfBackend } from '../../deploy/edge.ts';
import type { Haproxy } from './haproxy.ts';

/** How often the supervisor looks for new app routes from deploy, and reads HAProxy's per-app counters. */
const ROUTES_POLL_MS = 250;
const TRAFFIC_POLL_MS = 1000;
const RESPONSE_CLASSES = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'];

/** What following deploy's app routes needs from the cluster supervisor. */
export interface AppRoutesHost {
  edge: EdgeFiles;
  /** The running HAProxy, if any. */
  haproxy(): Haproxy | undefined;
  /** Runs a change of HAProxy alone (a reload must not meet a rolling restart's flip). */
  exclusive<T>(change: () => Promise<T>): Promise<T>;
  /** Rewrites HAProxy's main configuration from the sides in use now. */
  writeConfig(): void;
  pool: pg.Pool;
  log: Logger;
}

/** Following deploy's routes; `restarted()` after HAProxy was started anew (its counters and map are the files'). */
export interface AppRoutes {
  restarted(): void;
  stop(): void;
}

const mapEntries = (text: string) => new Map(text.split('\n').flatMap((line) => (line ? [line.split(' ') as [string, string]] : [])));

/**
 * Follows deploy's app routes. New or removed backends (an app's first Node.js
 * release, a deleted app): HAProxy reloads (a new worker takes the listeners;
 * the old one finishes its requests). An app started or stopped: only the map
 * changes, through the runtime API, without a reload. A switch to a new release
 * changes neither: deploy re-points the app's socket link.
 *
 * Requests HAProxy sent straight to apps are added to their counters every
 * second. A new HAProxy worker counts from 0: its counts are read just before a
 * reload; what the old worker serves after that read is not counted.
 */
export function followAppRoutes(host: AppRoutesHost): AppRoutes {
  const read = () => ({ backends: fs.readFileSync(host.edge.backends, 'utf8'), map: fs.readFileSync(host.edge.map, 'utf8') });
  let applied = read();
  let stopped = false;
  let busy = false;
  const recordTraffic = appTrafficRecorder(host.pool);
  const lastTraffic = new Map<string, { requests: number; errors: number }>();

  const readTraffic = async () => {
    const haproxy = host.haproxy();
    if (stopped || !haproxy) return;
    for (const row of await haproxy.stats()) {
      const slug = row.svname === 'BACKEND' ? slugOfBackend(row.pxname ?? '') : undefined;
      if (!slug) continue;
      const requests = RESPONSE_CLASSES.reduce((sum, k) => sum + (Number(row[k]) || 0), 0);
      const errors = Number(row.hrsp_5xx) || 0;
      const last = lastTraffic.get(slug) ?? { requests: 0, errors: 0 };
      lastTraffic.set(slug, { requests, errors });
      if (requests > last.requests) await recordTraffic(slug, requests - last.requests, Math.max(0, errors - last.errors));
    }
  };

  /** Applies the map's changes through the runtime API; false if HAProxy refused one (then a reload applies them). */
  const updateMap = async (haproxy: Haproxy, before: string, after: string): Promise<boolean> => {
    const [was, is] = [mapEntries(before), mapEntries(after)];
    const commands = [
      ...[...was.keys()].filter((slug) => !is.has(slug)).map((slug) => `del map ${host.edge.map} ${slug}`),
      ...[...is]
        .filter(([slug, backend]) => was.get(slug) !== backend)
        .map(([slug, backend]) => `${was.has(slug) ? 'set' : 'add'} map ${host.edge.map} ${slug} ${backend}`),
    ];
    for (const command of commands) {
      const answer = (await haproxy.command(command)).trim();
      if (answer) {
        host.log.warn({ command, answer }, 'HAProxy refused a map change: reloading instead');
        return false;
      }
    }
    return true;
  };

  const follow = async () => {
    const haproxy = host.haproxy();
    if (busy || stopped || !haproxy) return;
    busy = true;
    try {
      const now = read();
      if (now.backends === applied.backends && now.map === applied.map) return;
      await host.exclusive(async () => {
        if (now.backends === applied.backends && (await updateMap(haproxy, applied.map, now.map))) return;
        await readTraffic().catch(() => undefined);
        host.writeConfig();
        await haproxy.reload();
        lastTraffic.clear();
        host.log.info('HAProxy reloaded with the app backends deploy wrote');
      });
      applied = now;
    } catch (error) {
      host.log.error({ err: error instanceof Error ? error.message : String(error) }, 'HAProxy did not take the new app routes');
    } finally {
      busy = false;
    }
  };

  const routesPoll = setInterval(() => void follow(), ROUTES_POLL_MS);
  const trafficPoll = setInterval(
    () => void host.exclusive(readTraffic).catch((error: Error) => host.log.warn({ err: error.message }, 'reading the apps’ counters from HAProxy failed')),
    TRAFFIC_POLL_MS,
  );
  return {
    restarted() {
      applied = read();
      lastTraffic.clear();
    },
    stop() {
      stopped = true;
      clearInterval(routesPoll);
      clearInterval(trafficPoll);
    },
  };
}

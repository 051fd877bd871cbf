import fs from 'node:fs';
import type pg from 'pg';
import type { Logger } from '../../../platform/logger.ts';
import { appTrafficRecorder, type EdgeFiles, mapEntries, slotOfBackend } from '../../deploy/edge.ts';
import type { Haproxy } from './haproxy.ts';

/** How often the supervisor looks for new app routes from deploy, and reads HAProxy's per-app counters. */
const ROUTES_POLL_MS = 250;
const TRAFFIC_POLL_MS = 1000;
/** Slots' backends come in blocks of this many; a slot past the last block makes HAProxy reload with one more. */
export const SLOT_BLOCK = 128;
const RESPONSE_CLASSES = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'];

/** What following deploy's app routes needs from the cluster supervisor. */
export interface AppRoutesHost {
  edge: EdgeFiles;
  /** The running HAProxy, if any. */
  haproxy(): Haproxy | undefined;
  /** Runs a change of HAProxy alone (a reload must not meet a rolling restart's flip). */
  exclusive<T>(change: () => Promise<T>): Promise<T>;
  /** Rewrites HAProxy's configuration with this many slot backends and the sides in use now. */
  writeConfig(slots: number): void;
  pool: pg.Pool;
  log: Logger;
}

/** Following deploy's routes. */
export interface AppRoutes {
  /** Slot backends the configuration must have for the map as it is on disk now. */
  slotsNeeded(): number;
  /** HAProxy was started anew with the configuration written for `slotsNeeded()`: its map and counters are the files'. */
  restarted(): void;
  stop(): void;
}

/** Slot backends for a map: whole blocks, enough for its highest slot. */
const slotsFor = (entries: Map<string, number>) => SLOT_BLOCK * Math.max(1, Math.ceil((Math.max(-1, ...entries.values()) + 1) / SLOT_BLOCK));

/**
 * Follows deploy's app routes. An app added, removed, started or stopped
 * changes the map, applied through the runtime API (no reload: the slots'
 * backends are all there). A switch to a new release changes nothing here:
 * deploy re-points the slot's socket link. Only a slot past the configured
 * blocks reloads HAProxy (a new worker takes the listeners; the old one
 * finishes its requests, and closes idle connections).
 *
 * Requests HAProxy sent straight to apps are added to their counters every
 * second. A new HAProxy worker counts from 0: its counts are read just before a
 * reload; what the old worker serves after that read is not counted.
 */
export function followAppRoutes(host: AppRoutesHost): AppRoutes {
  const read = () => mapEntries(fs.readFileSync(host.edge.map, 'utf8'));
  let applied = read();
  let slots = slotsFor(applied);
  let stopped = false;
  let busy = false;
  const recordTraffic = appTrafficRecorder(host.pool);
  const lastTraffic = new Map<number, { requests: number; errors: number }>();

  const readTraffic = async () => {
    const haproxy = host.haproxy();
    if (stopped || !haproxy) return;
    const slugOf = new Map([...applied].map(([slug, slot]) => [slot, slug]));
    for (const row of await haproxy.stats()) {
      const slot = row.svname === 'BACKEND' ? slotOfBackend(row.pxname ?? '') : undefined;
      if (slot === undefined) continue;
      const requests = RESPONSE_CLASSES.reduce((sum, k) => sum + (Number(row[k]) || 0), 0);
      const errors = Number(row.hrsp_5xx) || 0;
      const last = lastTraffic.get(slot) ?? { requests: 0, errors: 0 };
      lastTraffic.set(slot, { requests, errors });
      const slug = slugOf.get(slot);
      if (slug && requests > last.requests) await recordTraffic(slug, requests - last.requests, Math.max(0, errors - last.errors));
    }
  };

  /** Applies the map's changes through the runtime API; false if HAProxy refused one (then a reload applies them). */
  const updateMap = async (haproxy: Haproxy, was: Map<string, number>, is: Map<string, number>): Promise<boolean> => {
    const commands = [
      ...[...was.keys()].filter((slug) => !is.has(slug)).map((slug) => `del map ${host.edge.map} ${slug}`),
      ...[...is]
        .filter(([slug, slot]) => was.get(slug) !== slot)
        .map(([slug, slot]) => `${was.has(slug) ? 'set' : 'add'} map ${host.edge.map} ${slug} app_${slot}`),
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
      if (now.size === applied.size && [...now].every(([slug, slot]) => applied.get(slug) === slot)) return;
      await host.exclusive(async () => {
        // A slot traffic counts for is read under the map that was in force, before it changes.
        await readTraffic().catch(() => undefined);
        const needed = Math.max(slots, slotsFor(now));
        if (needed === slots && (await updateMap(haproxy, applied, now))) return;
        host.writeConfig(needed);
        await haproxy.reload();
        slots = needed;
        lastTraffic.clear();
        host.log.info({ slots }, 'HAProxy reloaded with more app slots');
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
    slotsNeeded() {
      return Math.max(slots, slotsFor(read()));
    },
    restarted() {
      applied = read();
      slots = Math.max(slots, slotsFor(applied));
      lastTraffic.clear();
    },
    stop() {
      stopped = true;
      clearInterval(routesPoll);
      clearInterval(trafficPoll);
    },
  };
}

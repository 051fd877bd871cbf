import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../../platform/config.ts';
import { freePort } from '../../../platform/db/embedded.ts';
import type { Logger } from '../../../platform/logger.ts';
import type { Runtime } from '../../../platform/runtime.ts';
import { clusterDir, removeClusterState, writeClusterState, type ClusterState, type InstanceState } from '../state.ts';
import { RestartPolicy } from './backoff.ts';
import { answers, spawnAulaChild, stopChild, waitFor, type AulaChild } from './child.ts';
import { haproxyConfig, serverName, type ApiSlot } from './haproxy-config.ts';
import { startHaproxy, type Haproxy } from './haproxy.ts';
import { clusterSettings } from '../config.ts';
import { isProcessRegistered } from '../../../platform/process-registry.ts';
import { securityHeaderValues } from '../../../platform/http/security-headers.ts';
import { APP_RUNNER_QUEUE, edgeBackends, edgeFiles, ensureEdgeFiles } from '../../deploy/edge.ts';
import { followAppRoutes } from './app-routes.ts';

/** The ping/echo monitor's cadence: a ping every 200 ms, 3 misses in a row mean dead or hung. */
export const MONITOR = { pingIntervalMs: 200, pingTimeoutMs: 500, missesToFail: 3, startTimeoutMs: 90_000 } as const;

interface Slot {
  info: InstanceState;
  api: ApiSlot | undefined;
  /** Which of the slot's two ports the current process listens on. */
  side: 0 | 1;
  proc: AulaChild | undefined;
  policy: RestartPolicy;
  lastOkAt: number;
}

/** A running `aula cluster`. */
export interface Cluster {
  /** Replaces the API instances one at a time (start new, wait ready, drain old). */
  rollingRestart(): Promise<void>;
  /** Stops HAProxy (no new connections, open ones finish), then the instances, then the database. */
  stop(): Promise<void>;
}

/**
 * Starts HAProxy on PORT in front of AULA_CLUSTER_API API processes on
 * private loopback ports, and AULA_CLUSTER_WORKERS workers (`queues`: every
 * installed queue; only the first worker runs the apps). `runtime` is the
 * supervisor's own (database started and migrated); children get its DATABASE_URL.
 */
export async function startCluster(config: Config, runtime: Runtime, haproxyBinary: string, log: Logger, queues: string[]): Promise<Cluster> {
  const cluster = clusterSettings.get(config);
  const dir = clusterDir(config.dataDir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const socketPath = path.join(dir, 'haproxy.sock');
  const statsPort = cluster.statsPort || (await freePort());
  const port = config.port || (await freePort());
  const slots: Slot[] = [];
  const newSlot = (name: string, role: 'api' | 'worker', api?: ApiSlot): Slot => ({
    info: { name, role, pid: undefined, port: api?.ports[0], state: 'starting', lastPingAt: undefined, restarts: 0, detections: 0, lastDetectionMs: undefined },
    api,
    side: 0,
    proc: undefined,
    policy: new RestartPolicy(),
    lastOkAt: Date.now(),
  });
  for (let i = 1; i <= cluster.api; i++) {
    slots.push(newSlot(`api-${i}`, 'api', { name: `api-${i}`, ports: [await freePort(), await freePort()] }));
  }
  for (let i = 1; i <= cluster.workers; i++) slots.push(newSlot(`worker-${i}`, 'worker'));

  const startedAt = new Date().toISOString();
  let haproxy: Haproxy | undefined;
  const state = (): ClusterState => ({
    supervisorPid: process.pid,
    haproxyPid: haproxy?.child.pid,
    startedAt,
    port,
    statsUrl: `http://127.0.0.1:${statsPort}/`,
    instances: slots.map((s) => ({ ...s.info })),
  });
  let stopping = false;
  let lastWrite = 0;
  const save = (force = true) => {
    if (!force && Date.now() - lastWrite < 1000) return;
    lastWrite = Date.now();
    writeClusterState(config.dataDir, state());
  };

  const childEnv = (slot: Slot): Record<string, string> => ({
    DATABASE_URL: runtime.databaseUrl,
    AULA_DATA_DIR: config.dataDir,
    HOST: '127.0.0.1',
    PORT: String(slot.api?.ports[slot.side] ?? 0),
    // HAProxy adds X-Forwarded-For; believe it from loopback unless the operator chose otherwise.
    AULA_TRUST_PROXY: process.env.AULA_TRUST_PROXY || '127.0.0.1',
  });

  /** Starts the slot's process on its current side and waits until it is ready; false if it exits or times out. */
  const launching = new Set<AulaChild>();
  const launch = async (slot: Slot, side: 0 | 1): Promise<AulaChild | undefined> => {
    // The apps run in the process that works their queue, and a machine runs each app once: only worker-1 takes it.
    const workerArgs = slot.info.name === 'worker-1' ? ['worker'] : ['worker', '--queues', queues.filter((q) => q !== APP_RUNNER_QUEUE).join(',')];
    const proc = spawnAulaChild(slot.api ? ['start', '--no-workers'] : workerArgs, childEnv({ ...slot, side }));
    launching.add(proc);
    void proc.exited.then(() => launching.delete(proc));
    const ready = slot.api
      ? await waitFor(proc, () => answers(`http://127.0.0.1:${slot.api!.ports[side]}/ready`, 2000), MONITOR.startTimeoutMs)
      : await waitFor(proc, () => isProcessRegistered(runtime.pool, proc.pid!), MONITOR.startTimeoutMs);
    launching.delete(proc);
    if (ready && !stopping) return proc;
    log.warn({ instance: slot.info.name, pid: proc.pid }, 'instance did not become ready');
    proc.child.kill('SIGKILL');
    await proc.exited;
    return undefined;
  };

  const adopt = (slot: Slot, proc: AulaChild, side: 0 | 1) => {
    slot.proc = proc;
    slot.side = side;
    slot.lastOkAt = Date.now();
    Object.assign(slot.info, { pid: proc.pid, port: slot.api?.ports[side], state: 'ready', lastPingAt: slot.api ? new Date().toISOString() : undefined });
    save();
    if (slot.api) void watch(slot, proc);
    else void proc.exited.then(() => slot.proc === proc && !stopping && void failed(slot, proc, 'exited'));
  };

  /** Records a failure of `proc` and starts a replacement, with backoff; `crash-loop` after too many. */
  const failed = async (slot: Slot, proc: AulaChild, reason: string): Promise<void> => {
    const detectionMs = Date.now() - slot.lastOkAt;
    slot.info.detections += 1;
    slot.info.lastDetectionMs = slot.api ? detectionMs : undefined;
    log.warn({ instance: slot.info.name, pid: proc.pid, reason, detectionMs }, 'instance failed: replacing it');
    proc.child.kill('SIGKILL');
    await proc.exited;
    for (;;) {
      if (stopping || slot.proc !== proc) return;
      const delay = slot.policy.fail();
      if (delay === 'crash-loop') {
        slot.info.state = 'crash-loop';
        slot.info.pid = undefined;
        save();
        log.error({ instance: slot.info.name }, 'instance in crash-loop: 5 failures within 5 minutes; not restarting it (SIGHUP retries)');
        return;
      }
      Object.assign(slot.info, { state: 'restarting', pid: undefined });
      save();
      await sleep(delay);
      if (stopping || slot.proc !== proc) return;
      const next = await launch(slot, slot.side);
      if (next && (stopping || slot.proc !== proc)) {
        await stopChild(next, 5000); // a rolling restart took the slot over meanwhile
        return;
      }
      if (next) {
        slot.info.restarts += 1;
        log.info({ instance: slot.info.name, pid: next.pid, restarts: slot.info.restarts }, 'instance replaced');
        adopt(slot, next, slot.side);
        return;
      }
    }
  };

  /** Ping/echo: GET /health every 200 ms; three misses in a row and the process is replaced. */
  const watch = async (slot: Slot, proc: AulaChild): Promise<void> => {
    let misses = 0;
    const url = `http://127.0.0.1:${slot.api!.ports[slot.side]}/health`;
    while (!stopping && slot.proc === proc) {
      const started = Date.now();
      const ok = await answers(url, MONITOR.pingTimeoutMs);
      if (stopping || slot.proc !== proc) return;
      if (ok) {
        misses = 0;
        slot.lastOkAt = Date.now();
        slot.info.lastPingAt = new Date(slot.lastOkAt).toISOString();
        if (slot.info.state !== 'ready') {
          slot.info.state = 'ready';
          save();
        } else save(false);
      } else {
        misses += 1;
        log.warn({ instance: slot.info.name, pid: proc.pid, misses }, 'ping missed');
        if (slot.info.state === 'ready') {
          slot.info.state = 'unresponsive';
          save();
        }
        if (misses >= MONITOR.missesToFail) return failed(slot, proc, proc.hasExited() ? 'exited' : 'hung');
      }
      await sleep(Math.max(0, MONITOR.pingIntervalMs - (Date.now() - started)));
    }
  };

  const configPath = path.join(dir, 'haproxy.cfg');
  const edge = edgeFiles(config.dataDir);
  await ensureEdgeFiles(edge);
  const headers = await securityHeaderValues();
  const writeHaproxyConfig = (appSlots: number) =>
    fs.writeFileSync(
      configPath,
      haproxyConfig({
        host: config.host,
        port,
        statsPort,
        socketPath,
        appsMap: edge.map,
        appsBackends: edgeBackends(appSlots, edge, headers),
        slots: slots.flatMap((s) => (s.api ? [{ ...s.api, enabled: s.side }] : [])),
      }),
    );
  /** HAProxy changes one at a time: a reload rewrites the configuration from the sides in use, which a rolling restart is flipping. */
  let haproxyTurn: Promise<unknown> = Promise.resolve();
  const withHaproxy = <T>(change: () => Promise<T>): Promise<T> => {
    const next = haproxyTurn.then(change);
    haproxyTurn = next.catch(() => undefined);
    return next;
  };
  const appRoutes = followAppRoutes({
    edge,
    haproxy: () => haproxy,
    exclusive: withHaproxy,
    writeConfig: writeHaproxyConfig,
    pool: runtime.pool,
    log,
  });
  const haproxyPolicy = new RestartPolicy();
  /** HAProxy is watched too: if it exits on its own it is started again, with the sides in use now. */
  const superviseHaproxy = (running: Haproxy) => void running.exited.then(() => recoverHaproxy(running));
  const recoverHaproxy = async (dead: Haproxy) => {
    while (!stopping && haproxy === dead) {
      const delay = haproxyPolicy.fail();
      if (delay === 'crash-loop') return log.error('HAProxy in crash-loop: 5 failures within 5 minutes; not restarting it');
      log.error({ pid: dead.child.pid, restartInMs: delay }, 'HAProxy exited: starting it again');
      await sleep(delay);
      if (stopping) return;
      try {
        writeHaproxyConfig(appRoutes.slotsNeeded());
        appRoutes.restarted();
        const next = await startHaproxy(haproxyBinary, configPath, socketPath, log);
        haproxy = next;
        save();
        superviseHaproxy(next);
        log.info({ pid: next.child.pid }, 'HAProxy restarted');
      } catch (error) {
        log.error({ err: error instanceof Error ? error.message : String(error) }, 'HAProxy did not start again');
      }
    }
  };
  const startAll = async () => {
    const started = await Promise.all(slots.map(async (slot) => [slot, await launch(slot, 0)] as const));
    const missing = started.filter(([, proc]) => !proc).map(([slot]) => slot.info.name);
    if (missing.length > 0) {
      for (const [, proc] of started) if (proc) await stopChild(proc, 1000);
      throw new Error(`instances did not start: ${missing.join(', ')}`);
    }
    try {
      writeHaproxyConfig(appRoutes.slotsNeeded());
      appRoutes.restarted();
      haproxy = await startHaproxy(haproxyBinary, configPath, socketPath, log);
      superviseHaproxy(haproxy);
    } catch (error) {
      for (const [, proc] of started) await stopChild(proc!, 1000);
      throw error;
    }
    for (const [slot, proc] of started) adopt(slot, proc!, 0);
  };
  await startAll();
  log.info({ port, stats: `http://127.0.0.1:${statsPort}/`, api: cluster.api, workers: cluster.workers }, 'cluster ready');

  const setServer = async (slot: Slot, side: 0 | 1, serverState: 'ready' | 'drain' | 'maint') => {
    const answer = await haproxy!.command(`set server be_api/${serverName(slot.api!, side)} state ${serverState}`);
    if (answer.trim()) throw new Error(`HAProxy: ${answer.trim()}`);
  };
  const serverRows = async (slot: Slot, side: 0 | 1) => (await haproxy!.stats()).filter((row) => row.svname === serverName(slot.api!, side));
  const haproxySees = async (slot: Slot, side: 0 | 1, check: (rows: Array<Record<string, string>>) => boolean, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (check(await serverRows(slot, side))) return true;
      await sleep(50);
    }
    return false;
  };

  let rolling: Promise<void> | undefined;
  const rollSlot = async (slot: Slot) => {
    if (slot.info.state === 'crash-loop') slot.policy.reset();
    const old = slot.proc;
    if (!slot.api) {
      // Workers: stop the old one gracefully (jobs finish or go back to the queue), then start the new one.
      slot.proc = undefined;
      slot.info.state = 'draining';
      save();
      if (old) await stopChild(old, config.shutdownTimeoutMs + 10_000);
      const next = await launch(slot, 0);
      if (!next) throw new Error(`${slot.info.name} did not start`);
      slot.info.restarts += 1;
      adopt(slot, next, 0);
      return;
    }
    const side = (1 - slot.side) as 0 | 1;
    const next = await launch(slot, side);
    if (!next) throw new Error(`${slot.info.name} did not start on port ${slot.api.ports[side]}`);
    await setServer(slot, side, 'ready');
    if (!(await haproxySees(slot, side, (rows) => rows.some((r) => r.pxname === 'be_api' && r.status === 'UP'), 15_000))) {
      await setServer(slot, side, 'maint');
      await stopChild(next, 5000);
      throw new Error(`HAProxy did not see ${slot.info.name}'s new process as up`);
    }
    const oldSide = slot.side;
    slot.info.restarts += 1;
    adopt(slot, next, side);
    if (old) {
      await setServer(slot, oldSide, 'drain');
      await haproxySees(slot, oldSide, (rows) => rows.every((r) => r.scur === '0'), config.shutdownTimeoutMs + 10_000);
      await stopChild(old, config.shutdownTimeoutMs + 10_000);
    }
    await setServer(slot, oldSide, 'maint');
    log.info({ instance: slot.info.name, pid: next.pid, port: slot.api.ports[side] }, 'instance replaced by a rolling restart');
  };

  return {
    rollingRestart() {
      rolling ??= (async () => {
        try {
          log.info('rolling restart: one instance at a time');
          for (const slot of slots) {
            if (stopping) return;
            await withHaproxy(() => rollSlot(slot));
          }
          log.info('rolling restart done');
        } catch (error) {
          log.error({ err: error instanceof Error ? error.message : String(error) }, 'rolling restart stopped');
        } finally {
          rolling = undefined;
        }
      })();
      return rolling;
    },
    async stop() {
      stopping = true;
      appRoutes.stop();
      log.info('cluster stopping: HAProxy first (no new connections; open ones finish), then the instances');
      await haproxy?.stop();
      for (const slot of slots) slot.info.state = 'stopped';
      const running = [...slots.flatMap((s) => (s.proc ? [s.proc] : [])), ...launching];
      await Promise.all(running.map((p) => stopChild(p, config.shutdownTimeoutMs + 10_000)));
      await rolling;
      removeClusterState(config.dataDir);
      fs.rmSync(socketPath, { force: true });
    },
  };
}

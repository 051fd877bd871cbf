import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../../platform/ids.ts';

/** What the supervisor knows about one process it runs. */
export interface InstanceState {
  /** Stable slot name, e.g. `api-1` or `worker-1`; a replacement keeps it. */
  name: string;
  role: 'api' | 'worker';
  pid: number | undefined;
  /** Private loopback port (API instances only). */
  port: number | undefined;
  state: 'starting' | 'ready' | 'unresponsive' | 'restarting' | 'crash-loop' | 'draining' | 'stopped';
  /** ISO time of the last answered ping (API instances only). */
  lastPingAt: string | undefined;
  restarts: number;
  /** Times the monitor found this slot dead or hung (3 missed pings, or an exit). */
  detections: number;
  /** Milliseconds from the last answered ping to the decision, for the latest detection. */
  lastDetectionMs: number | undefined;
}

/** The supervisor's view of the cluster, as written to the data directory. */
export interface ClusterState {
  supervisorPid: number;
  haproxyPid: number | undefined;
  startedAt: string;
  port: number;
  statsUrl: string;
  instances: InstanceState[];
}

/** Where `aula cluster` keeps its generated files (HAProxy config, runtime socket, state). */
export function clusterDir(dataDir: string): string {
  return path.join(dataDir, 'cluster');
}

const stateFile = (dataDir: string) => path.join(clusterDir(dataDir), 'state.json');

/** Writes the state atomically (aside, then renamed into place). */
export function writeClusterState(dataDir: string, state: ClusterState): void {
  const file = stateFile(dataDir);
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(state));
  fs.renameSync(temp, file);
}

/** Removes the state file when the supervisor stops. */
export function removeClusterState(dataDir: string): void {
  fs.rmSync(stateFile(dataDir), { force: true });
}

/** The state written by a live supervisor on this data directory, or undefined outside cluster mode. */
export function readClusterState(dataDir: string): ClusterState | undefined {
  let state: ClusterState;
  try {
    state = JSON.parse(fs.readFileSync(stateFile(dataDir), 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
  return isAlive(state.supervisorPid) ? state : undefined; // else left behind by a killed supervisor
}

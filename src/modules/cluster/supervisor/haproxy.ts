import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from '../../../platform/logger.ts';

const SEARCH_DIRS = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

/** Tells the operator how to get HAProxy when `aula cluster` cannot find it. */
export const HAPROXY_MISSING =
  'aula cluster needs HAProxy (2.6 or newer), which was not found in PATH or /usr/sbin.\n' +
  'Install it, e.g. on Debian/Ubuntu: sudo apt-get install haproxy   (Fedora: sudo dnf install haproxy; macOS: brew install haproxy)';

/** The haproxy executable from PATH or the usual sbin folders, or undefined. */
export function findHaproxy(envPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...envPath.split(path.delimiter).filter(Boolean), ...SEARCH_DIRS]) {
    const candidate = path.join(dir, 'haproxy');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A running HAProxy and its runtime API (admin socket). */
export interface Haproxy {
  child: ChildProcess;
  exited: Promise<void>;
  /** Sends one runtime API command and returns its answer. */
  command(line: string): Promise<string>;
  /** Server rows of `show stat`, as objects keyed by the CSV header. */
  stats(): Promise<Array<Record<string, string>>>;
  /** Re-reads the configuration file after checking it: a new worker takes the listeners, the old one finishes its connections. */
  reload(): Promise<void>;
  /** Soft stop: stop accepting, let open connections finish (bounded by hard-stop-after), then exit. */
  stop(): Promise<void>;
}

/** Checks the configuration file with `haproxy -c`; throws HAProxy's own message when it refuses it. */
async function checkConfig(binary: string, configPath: string): Promise<void> {
  const check = spawn(binary, ['-c', '-f', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let checkOutput = '';
  check.stderr!.on('data', (chunk: Buffer) => (checkOutput += chunk.toString()));
  const checkCode = await new Promise<number | null>((resolve) => check.on('exit', resolve));
  if (checkCode !== 0) throw new Error(`HAProxy refused the generated configuration ${configPath}:\n${checkOutput}`);
}

/**
 * Starts `haproxy -W -db -f config` (master-worker, in the foreground, so a reload keeps the
 * listeners) and waits until its runtime socket answers.
 */
export async function startHaproxy(binary: string, configPath: string, socketPath: string, log: Logger): Promise<Haproxy> {
  await checkConfig(binary, configPath);
  fs.rmSync(socketPath, { force: true });
  const child = spawn(binary, ['-W', '-db', '-f', configPath], { stdio: ['ignore', 'inherit', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) log.info({ haproxy: line }, 'haproxy');
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const command = (line: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(socketPath);
      let answer = '';
      socket.setTimeout(5000, () => socket.destroy(new Error(`HAProxy runtime API did not answer: ${line}`)));
      socket.on('connect', () => socket.end(`${line}\n`));
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
    });
  /** The pid of the worker answering on the runtime socket, once one answers within 10 s. */
  const workerPid = async (other?: string): Promise<string> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error('HAProxy exited (see its messages above)');
      try {
        const pid = /^Pid: (\d+)$/m.exec(await command('show info'))?.[1];
        if (pid && pid !== other) return pid;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error('HAProxy did not take the new configuration within 10 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  let worker: string;
  try {
    worker = await workerPid();
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    child,
    exited,
    command,
    async stats() {
      const [header, ...rows] = (await command('show stat')).split('\n').filter((l) => l && !l.startsWith('\n'));
      const names = header!.replace(/^# /, '').split(',');
      return rows.map((row) => Object.fromEntries(row.split(',').map((value, i) => [names[i]!, value])));
    },
    async reload() {
      await checkConfig(binary, configPath);
      child.kill('SIGUSR2');
      worker = await workerPid(worker);
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGUSR1');
      await exited;
    },
  };
}

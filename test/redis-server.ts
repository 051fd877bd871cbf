import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './process.ts';
import { waitUntil } from './wait.ts';

/** A redis-server of our own on a free loopback port, that a test may stop and start again. */
export interface OwnRedis {
  url: string;
  /** Stops the server (it saves its data first) and resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data (nothing when it runs), resolving once it answers. */
  start(): Promise<void>;
  /** Stops it for good and removes its files. */
  remove(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Starts `redis-server` (which must be installed) with persistence in a temporary folder. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-redis-'));
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  const start = async () => {
    // Already running: a second server could not bind the port and, replacing `child`, would orphan the first.
    if (child && child.exitCode === null && child.signalCode === null) return;
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '3600 1', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitUntil(() => answers(url), 10_000);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM'); // redis-server saves its data on SIGTERM when a save point is set
    await exited;
  };
  await start();
  // Even when a test times out before its clean-up, the server goes with the test process.
  process.once('exit', () => child?.kill('SIGKILL'));
  return {
    url,
    stop,
    start,
    async remove() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

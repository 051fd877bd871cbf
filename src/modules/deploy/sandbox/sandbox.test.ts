import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BubblewrapRunner } from './bubblewrap.ts';
import { describeExit, type ExitInfo, type SandboxProcess, type SandboxSpec } from './runner.ts';

const runner = new BubblewrapRunner();
const limits = { memoryMb: 96, cpus: 0.5, pids: 32, tmpMb: 8 };
let root: string;
const started: SandboxProcess[] = [];

beforeAll(async () => {
  await runner.check();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-sandbox-'));
});
afterAll(async () => {
  await Promise.all(started.map((p) => p.kill()));
  fs.rmSync(root, { recursive: true, force: true });
});

/** A directory owned by the uid, as the pipeline leaves an app's checkout. */
function appDir(name: string, uid: number, files: Record<string, string> = {}): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  for (const entry of [dir, ...Object.keys(files).map((f) => path.join(dir, f))]) fs.chownSync(entry, uid, uid);
  return dir;
}

async function run(
  name: string,
  uid: number,
  workDir: string,
  command: string[],
  onLine?: SandboxSpec['onLine'],
): Promise<{ exit: ExitInfo; out: string[]; proc: SandboxProcess }> {
  const out: string[] = [];
  const proc = await runner.start({
    name,
    uid,
    workDir,
    command,
    env: { PATH: '/usr/bin:/bin', HOME: '/tmp' },
    limits,
    onLine: (stream, line) => {
      out.push(line);
      onLine?.(stream, line);
    },
  });
  started.push(proc);
  return { exit: await proc.exited, out, proc };
}

describe('the bubblewrap sandbox', () => {
  it("runs as its own uid and cannot read /etc/shadow, Aula's data directory or another app's files, nor reach any TCP port", async () => {
    const dataDir = fs.mkdtempSync(path.join(root, 'aula-data-'));
    fs.writeFileSync(path.join(dataDir, 'jwt-secret'), 'top secret');
    const other = appDir('other-app', 300_002, { 'secret.txt': 'other app secret' });
    const probe = `
      const fs = require('node:fs');
      const net = require('node:net');
      const read = (p) => { try { return fs.readFileSync(p, 'utf8'); } catch (e) { return e.code; } };
      const connect = (port) => new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1');
        s.on('connect', () => { s.destroy(); resolve('connected'); });
        s.on('error', (e) => resolve(e.code));
      });
      (async () => {
        console.log(JSON.stringify({
          uid: process.getuid(),
          shadow: read('/etc/shadow'),
          data: read(${JSON.stringify(path.join(dataDir, 'jwt-secret'))}),
          other: read(${JSON.stringify(path.join(other, 'secret.txt'))}),
          otherViaProc: read('/proc/1/root${other}/secret.txt'),
          postgres: await connect(5432),
          own: read('/app/mine.txt'),
          roots: fs.readdirSync('/').sort(),
        }));
      })();`;
    const mine = appDir('this-app', 300_001, { 'mine.txt': 'mine', 'probe.js': probe });
    const { exit, out } = await run('test-isolation', 300_001, mine, [process.execPath, 'probe.js']);
    expect(exit.code).toBe(0);
    const seen = JSON.parse(out.at(-1)!);
    expect(seen).toMatchObject({ uid: 300_001, shadow: 'ENOENT', data: 'ENOENT', other: 'ENOENT', own: 'mine' });
    expect(['ENOENT', 'EACCES']).toContain(seen.otherViaProc);
    expect(['ENETUNREACH', 'ECONNREFUSED', 'EACCES']).toContain(seen.postgres);
    expect(seen.roots).not.toContain('etc');
  });

  it('contains a fork bomb at its process limit and reports it', async () => {
    const dir = appDir('forker', 300_003);
    let sawRefusal!: () => void;
    const refused = new Promise<void>((resolve) => {
      sawRefusal = resolve;
    });
    const bomb = runner.start({
      name: 'test-forkbomb',
      uid: 300_003,
      workDir: dir,
      env: { PATH: '/usr/bin:/bin' },
      limits,
      command: ['/bin/sh', '-c', 'bomb() { bomb | bomb & }; bomb; sleep 60'],
      onLine: (_stream, line) => {
        if (/fork|resource/i.test(line)) sawRefusal();
      },
    });
    const proc = await bomb;
    started.push(proc);
    await refused;
    const exit = await proc.kill();
    expect(exit.pidsLimitHit).toBe(true);
    expect(describeExit(exit, limits)).toBe('hit its limit of 32 processes');
  });

  it('kills a memory hog at its memory limit and says so', async () => {
    const dir = appDir('hog', 300_004);
    const { exit } = await run('test-memhog', 300_004, dir, [process.execPath, '-e', 'const a = []; for (;;) a.push(Buffer.alloc(4 << 20, 1));']);
    expect(exit.oomKilled).toBe(true);
    expect(describeExit(exit, limits)).toBe('was killed for using more than its 96 MB memory limit');
  });

  it('kills every process of the sandbox when it is killed, and removes its cgroups', async () => {
    const dir = appDir('sleeper', 300_005);
    const proc = await runner.start({
      name: 'test-kill',
      uid: 300_005,
      workDir: dir,
      env: { PATH: '/usr/bin:/bin' },
      limits,
      command: ['/bin/sh', '-c', 'sleep 300 & sleep 300 & echo ready; wait'],
      onLine: () => undefined,
    });
    started.push(proc);
    const exit = await proc.kill();
    expect(exit.signal).toBe('SIGKILL');
    expect(fs.existsSync('/sys/fs/cgroup/pids/aula/test-kill')).toBe(false);
  });
});

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, spawnAula, waitForOk, type AulaProcess } from './process.ts';

function postgresProcessesOn(dir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `postgres -D ${dir}`], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function embeddedPort(logs: string): number {
  const match = /"port":(\d+),"fresh":(true|false),"msg":"embedded PostgreSQL ready"/.exec(logs);
  if (!match) throw new Error(`no embedded PostgreSQL port in the logs:\n${logs}`);
  return Number(match[1]);
}

describe('aula start with the embedded database', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-embedded-'));
  const clusterDir = path.join(dataDir, 'postgres');
  const started: AulaProcess[] = [];

  afterAll(async () => {
    for (const p of started) p.child.kill('SIGKILL');
    for (const pid of postgresProcessesOn(clusterDir)) process.kill(Number(pid), 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ proc: AulaProcess; port: number }> {
    const port = await freePort();
    const proc = spawnAula(['start'], { AULA_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' });
    started.push(proc);
    await waitForOk(`http://127.0.0.1:${port}/ready`, 30_000, proc);
    return { proc, port };
  }

  it('SIGTERM stops PostgreSQL, then exits 0, leaves no postgres behind, and the data is there on restart', async () => {
    const first = await start();
    expect(postgresProcessesOn(clusterDir).length).toBeGreaterThan(0);

    const password = fs.readFileSync(path.join(dataDir, 'postgres-password'), 'utf8');
    expect(fs.statSync(path.join(dataDir, 'postgres-password')).mode & 0o777).toBe(0o600);
    const dbUrl = `postgres://aula:${password}@127.0.0.1:${embeddedPort(first.proc.output())}/aula`;
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    await client.query('CREATE TABLE public.kept (note text)');
    await client.query("INSERT INTO public.kept VALUES ('still here')");
    await client.end();

    first.proc.child.kill('SIGTERM');
    const code = await first.proc.exited;
    expect(code).toBe(0);
    // The shutdown ran in order to its end: PostgreSQL stopped last, then the process said so.
    const messages = first.proc
      .output()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    const shuttingDown = messages.indexOf('shutting down');
    expect(shuttingDown).toBeGreaterThan(-1);
    expect(messages.indexOf('embedded PostgreSQL stopped')).toBeGreaterThan(shuttingDown);
    expect(messages.at(-1)).toBe('stopped');
    expect(postgresProcessesOn(clusterDir)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'aula.pid'))).toBe(false);

    const second = await start();
    expect(second.proc.output()).toContain('"fresh":false');
    const again = new pg.Client({ connectionString: `postgres://aula:${password}@127.0.0.1:${embeddedPort(second.proc.output())}/aula` });
    await again.connect();
    const kept = await again.query('SELECT note FROM public.kept');
    const processes = await again.query('SELECT stopped_at FROM platform.processes ORDER BY started_at');
    await again.end();
    expect(kept.rows).toEqual([{ note: 'still here' }]);
    expect(processes.rows).toHaveLength(2);
    expect(processes.rows[0].stopped_at).not.toBeNull();

    // A second Aula on the same data directory is refused with a clear message.
    const intruder = spawnAula(['start'], { AULA_DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1' });
    expect(await intruder.exited).toBe(1);
    expect(intruder.output()).toContain('is in use by another Aula process');

    second.proc.child.kill('SIGTERM');
    expect(await second.proc.exited).toBe(0);
    expect(postgresProcessesOn(clusterDir)).toEqual([]);
  });

  it('recovers after a SIGKILL left PostgreSQL running', async () => {
    const first = await start();
    first.proc.child.kill('SIGKILL');
    await first.proc.exited;
    expect(postgresProcessesOn(clusterDir).length).toBeGreaterThan(0); // orphaned by the kill

    const second = await start();
    expect(second.proc.output()).toContain('stopping a PostgreSQL left running by a previous Aula process');
    second.proc.child.kill('SIGTERM');
    expect(await second.proc.exited).toBe(0);
    expect(postgresProcessesOn(clusterDir)).toEqual([]);
  });
});

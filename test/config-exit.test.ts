import { describe, expect, it } from 'vitest';
import { spawnAula } from './process.ts';

const badValues: Array<[string, string]> = [
  ['PORT', 'abc'],
  ['PORT', '70000'],
  ['AULA_DB_POOL_MAX', '0'],
  ['AULA_EMBEDDED_PG_PORT', '-1'],
  ['DATABASE_URL', 'mysql://localhost/aula'],
  ['DATABASE_URL', 'not a url'],
  ['REDIS_URL', 'http://127.0.0.1:6379'],
  ['AULA_REDIS_PREFIX', 'has space'],
  ['LOG_LEVEL', 'loud'],
  ['AULA_SHUTDOWN_TIMEOUT_MS', '-5'],
];

describe('a bad configuration value stops the process and names the variable', () => {
  it.each(badValues)('%s=%s', async (name, value) => {
    const proc = spawnAula(['start'], { [name]: value, AULA_DATA_DIR: '/nonexistent/never-created' });
    const code = await proc.exited;
    expect(code).not.toBe(0);
    expect(proc.output()).toContain(`${name}=`);
    expect(proc.output()).not.toContain('embedded PostgreSQL');
  });

  it('never prints the value of a secret variable', async () => {
    const proc = spawnAula(['start'], { AULA_JWT_SECRET: 'too-short-but-secret', DATABASE_URL: 'mysql://user:hunter2@db/aula' });
    expect(await proc.exited).not.toBe(0);
    expect(proc.output()).toContain('AULA_JWT_SECRET=(hidden)');
    expect(proc.output()).not.toContain('too-short-but-secret');
    expect(proc.output()).not.toContain('hunter2');
  });

  it('an unknown command prints the usage and exits non-zero', async () => {
    const proc = spawnAula(['launch'], {});
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain('unknown command: launch');
    expect(proc.output()).toContain('aula worker');
  });

  it('an unknown queue is refused', async () => {
    const proc = spawnAula(['worker', '--queues', 'media.nope'], {});
    expect(await proc.exited).toBe(2);
    expect(proc.output()).toContain('unknown queue: media.nope');
  });
});

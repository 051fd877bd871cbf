import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('has sensible defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.dataDir).toBe(path.resolve('./data'));
    expect(config.storageDir).toBe(path.join(path.resolve('./data'), 'files'));
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.redisPrefix).toBe('aula');
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8080);
  });

  it('reads the URLs and numbers it is given', () => {
    const config = loadConfig({ PORT: '9000', DATABASE_URL: 'postgres://u@h/db', REDIS_URL: 'redis://h:6379', AULA_DB_POOL_MAX: '3' });
    expect(config).toMatchObject({ port: 9000, databaseUrl: 'postgres://u@h/db', redisUrl: 'redis://h:6379', dbPoolMax: 3 });
  });

  it('names every bad variable at once', () => {
    expect(() => loadConfig({ PORT: 'abc', LOG_LEVEL: 'x' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'abc', LOG_LEVEL: 'x' });
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT="abc"/);
      expect((error as Error).message).toMatch(/LOG_LEVEL="x"/);
    }
  });
});

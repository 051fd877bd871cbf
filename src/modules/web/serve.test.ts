import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../platform/http/app.ts';
import { createLogger } from '../../platform/logger.ts';
import { registerWebApp } from './serve.ts';

describe('web app serving', () => {
  const dist = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-web-dist-'));
  let app: FastifyInstance;

  beforeAll(async () => {
    fs.mkdirSync(path.join(dist, 'assets'));
    fs.writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>Aula</title>');
    fs.writeFileSync(path.join(dist, 'assets', 'app-1234.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dist, 'favicon.svg'), '<svg/>');
    const log = createLogger('silent');
    app = await buildApp({
      log,
      readiness: [],
      register: async (instance) => {
        instance.get('/api/ping', async () => ({ ok: true }));
        await instance.register(async (scope) => registerWebApp(scope, log, dist));
      },
    });
  });
  afterAll(async () => {
    await app.close();
    fs.rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html at / and for client routes, never cached', async () => {
    for (const url of ['/', '/videos', '/courses/123/grades']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>Aula</title>');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets with a long cache and other files as they are', async () => {
    const js = await app.inject({ url: '/assets/app-1234.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ url: '/favicon.svg' })).statusCode).toBe(200);
  });

  it('keeps the API under /api: unknown API paths and missing files are 404 in the error format', async () => {
    expect((await app.inject({ url: '/api/ping' })).json()).toEqual({ ok: true });
    for (const url of ['/api/nothing', '/assets/missing.js', '/../package.json', '/docs/nothing.js']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe('not_found');
    }
  });
});

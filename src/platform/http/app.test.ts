import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { HttpError } from './errors.ts';
import { createLogger } from '../logger.ts';
import { startTestApp, type TestApp } from '../../../test/app.ts';

describe('the HTTP layer of a running Aula', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ queues: ['platform.noop'] });
  });
  afterAll(async () => app.stop());

  it('/health answers while the process lives', async () => {
    const response = await fetch(`${app.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/ready checks the database, the queue and the migrations', async () => {
    const response = await fetch(`${app.baseUrl}/ready`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', checks: { database: 'ok', queue: 'ok', migrations: 'ok' } });
  });

  it('/ready answers 503 and names the failing check when a migration is missing', async () => {
    const client = new pg.Client({ connectionString: app.db.url });
    await client.connect();
    try {
      const removed = await client.query("DELETE FROM platform.kysely_migration WHERE name = '001_processes' RETURNING *");
      const response = await fetch(`${app.baseUrl}/ready`);
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({ status: 'not ready', checks: { database: 'ok', queue: 'ok', migrations: 'failing' } });
      const row = removed.rows[0];
      await client.query('INSERT INTO platform.kysely_migration (name, timestamp) VALUES ($1, $2)', [row.name, row.timestamp]);
      expect((await fetch(`${app.baseUrl}/ready`)).status).toBe(200);
    } finally {
      await client.end();
    }
  });

  it('gives every response a request id, reusing a safe one from the caller', async () => {
    const own = await fetch(`${app.baseUrl}/health`, { headers: { 'x-request-id': 'trace-123' } });
    expect(own.headers.get('x-request-id')).toBe('trace-123');
    const unsafe = await fetch(`${app.baseUrl}/health`, { headers: { 'x-request-id': 'bad id <script>' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('unknown routes get the one error format', async () => {
    const response = await fetch(`${app.baseUrl}/api/nothing?x=1`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /api/nothing' } });
  });

  it('/metrics exposes HTTP durations and queue counts', async () => {
    await app.runtime.queues.queue('platform.noop').add('noop', { seq: 1 });
    await fetch(`${app.baseUrl}/health`);
    const body = await (await fetch(`${app.baseUrl}/metrics`)).text();
    expect(body).toMatch(/aula_http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} \d+/);
    expect(body).toMatch(/aula_queue_jobs\{queue="platform.noop",state="waiting"\} \d+/);
    expect(body).toContain('aula_job_duration_seconds');
  });

  it('publishes the OpenAPI document and the docs', async () => {
    const doc = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/health', '/ready', '/metrics', '/api/auth/signup', '/api/tasks', '/api/courses', '/api/stats/grades']),
    );
    const docs = await fetch(`${app.baseUrl}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain('<html');
  });
});

describe('error format for module routes', () => {
  it('turns validation errors, HttpErrors, bad JSON and crashes into the one format', async () => {
    const app = await buildApp({
      log: createLogger('silent'),
      readiness: [],
      register: async (instance) => {
        instance.post(
          '/api/echo',
          {
            schema: {
              body: {
                type: 'object',
                required: ['name', 'age'],
                additionalProperties: false,
                properties: { name: { type: 'string', minLength: 3 }, age: { type: 'integer', minimum: 0 } },
              },
            },
          },
          async (request) => request.body,
        );
        instance.get('/api/gone', async () => {
          throw new HttpError(410, 'gone', 'this is gone', { since: 'yesterday' });
        });
        instance.get('/api/crash', async () => {
          throw new Error('SELECT secret FROM users at /srv/aula/src/db.ts:12');
        });
      },
    });
    try {
      const invalid = await app.inject({ method: 'POST', url: '/api/echo', payload: { name: 'ab', age: -1, extra: 1 } });
      expect(invalid.statusCode).toBe(400);
      const body = invalid.json() as { error: { code: string; details: Array<{ field: string }> } };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.details.map((d) => d.field).sort()).toEqual(['age', 'extra', 'name']);

      const gone = await app.inject({ method: 'GET', url: '/api/gone' });
      expect(gone.statusCode).toBe(410);
      expect(gone.json()).toEqual({ error: { code: 'gone', message: 'this is gone', details: { since: 'yesterday' } } });

      const badJson = await app.inject({ method: 'POST', url: '/api/echo', headers: { 'content-type': 'application/json' }, payload: '{"name":' });
      expect(badJson.statusCode).toBe(400);
      expect(badJson.json().error.code).toBe('bad_request');

      const crash = await app.inject({ method: 'GET', url: '/api/crash' });
      expect(crash.statusCode).toBe(500);
      expect(crash.body).not.toMatch(/SELECT|srv|db\.ts/);
      expect(crash.json()).toEqual({ error: { code: 'internal_error', message: 'something went wrong on our side' } });
    } finally {
      await app.close();
    }
  });
});

import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from './http/app.ts';
import { createLogger, redactUrl } from './logger.ts';

describe('logs', () => {
  it('redact token-like query parameters', () => {
    expect(redactUrl('/api/tasks/events?access_token=eyJ.abc.def&x=1')).toBe('/api/tasks/events?access_token=[redacted]&x=1');
    expect(redactUrl('/api/tasks/1/original?expires=9&sig=AbC-_')).toBe('/api/tasks/1/original?expires=9&sig=[redacted]');
  });

  it('Fastify request logs use the redacting serializer', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk, _enc, done) => {
        lines.push(String(chunk));
        done();
      },
    });
    const app = await buildApp({ log: createLogger('info', {}, sink), readiness: [] });
    await app.inject({ method: 'GET', url: '/health?access_token=SECRET-TOKEN' });
    await app.close();
    const joined = lines.join('');
    expect(joined).toContain('access_token=[redacted]');
    expect(joined).not.toContain('SECRET-TOKEN');
  });
});

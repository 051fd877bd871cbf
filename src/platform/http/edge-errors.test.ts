import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { RawConnection } from '../../../test/raw-http.ts';

let app: TestApp;
let port: number;

beforeAll(async () => {
  app = await startTestApp();
  port = Number(new URL(app.baseUrl).port);
});
afterAll(async () => app.stop());

async function rawRequest(request: string) {
  const conn = await RawConnection.open(port);
  try {
    void conn.write(request);
    return await conn.response();
  } finally {
    conn.destroy();
  }
}

describe('answers from before a route runs', () => {
  it('a too long URL parameter is a 414 in the one error format', async () => {
    const response = await fetch(`${app.baseUrl}/api/tasks/${'a'.repeat(500)}`);
    expect(response.status).toBe(414);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await response.json()).toEqual({ error: { code: 'uri_too_long', message: 'a part of the URL is too long' } });
  });

  it('headers too large are a 431 in the one error format', async () => {
    const response = await rawRequest(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`);
    expect(response?.status).toBe(431);
    expect(response?.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response!.body)).toEqual({ error: { code: 'headers_too_large', message: 'the request line or headers are too large' } });
  });

  it('a request line too long for the parser is answered the same way', async () => {
    const response = await rawRequest(`GET /health?${'q'.repeat(20_000)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(response?.status).toBe(431);
    expect(JSON.parse(response!.body).error.code).toBe('headers_too_large');
  });

  it('an unparsable request is a 400 in the one error format', async () => {
    const response = await rawRequest('THIS IS NOT HTTP\r\n\r\n');
    expect(response?.status).toBe(400);
    expect(JSON.parse(response!.body)).toEqual({ error: { code: 'bad_request', message: 'the request could not be parsed' } });
  });
});

describe('security headers', () => {
  it('every response carries nosniff, frame and referrer policies and a CSP a same-origin web app can live with', async () => {
    for (const path of ['/health', '/no-such-route', '/docs/', '/openapi.json']) {
      const response = await fetch(`${app.baseUrl}${path}`);
      await response.arrayBuffer();
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(response.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(response.headers.get('referrer-policy'), path).toBe('no-referrer');
      const csp = response.headers.get('content-security-policy') ?? '';
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
      ]) {
        expect(csp, path).toContain(directive);
      }
      expect(csp).not.toContain('upgrade-insecure-requests');
    }
  });

  it('the API docs still load under that CSP: only same-origin scripts, and their files are served', async () => {
    const html = await (await fetch(`${app.baseUrl}/docs/`)).text();
    const scripts = [...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(inline!.trim()).toBe(''); // script-src 'self' forbids inline scripts
      const src = /src="([^"]+)"/.exec(attributes!)?.[1];
      expect(src).toBeDefined();
      expect(src).not.toMatch(/^(https?:)?\/\//);
      const script = await fetch(new URL(src!, `${app.baseUrl}/docs/`));
      expect(script.status).toBe(200);
      await script.arrayBuffer();
    }
    const initializer = await (await fetch(`${app.baseUrl}/docs/static/swagger-initializer.js`)).text();
    expect(initializer).toMatch(/"validatorUrl":\s*null/); // no badge image from validator.swagger.io, which img-src refuses
  });
});

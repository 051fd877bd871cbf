import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { RawConnection } from '../../../test/raw-http.ts';
import { waitUntil } from '../../../test/wait.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';

let app: TestApp;
let token: string;
let port: number;
const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-upload-limits-'));
const BOUNDARY = 'aulaTestBoundary';

function partialFiles(): string[] {
  return fs.readdirSync(storageDir, { recursive: true, encoding: 'utf8' }).filter((name) => path.basename(name).startsWith('.tmp-'));
}

function filePart(field: string, data: Buffer | string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${field}"; filename="v.mp4"\r\nContent-Type: video/mp4\r\n\r\n${data}\r\n`;
}

function fieldPart(name: string, value: string): string {
  return `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
}

function uploadHead(length: number, contentType = `multipart/form-data; boundary=${BOUNDARY}`): string {
  return `POST /api/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: ${contentType}\r\nContent-Length: ${length}\r\n\r\n`;
}

function openFds(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

beforeAll(async () => {
  // Partial writes left by a killed API process: an old one is swept at start, a fresh one (maybe live) is kept.
  fs.mkdirSync(path.join(storageDir, 'tasks', 'dead'), { recursive: true });
  const stale = path.join(storageDir, 'tasks', 'dead', '.tmp-stale');
  fs.writeFileSync(stale, 'half an upload');
  const old = new Date(Date.now() - 24 * 3600 * 1000);
  fs.utimesSync(stale, old, old);
  fs.writeFileSync(path.join(storageDir, 'tasks', 'dead', '.tmp-fresh'), 'being written');
  app = await startTestApp({ env: { AULA_MAX_UPLOAD_MB: '1', AULA_STORAGE_DIR: storageDir, AULA_REQUEST_TIMEOUT_SECONDS: '1' } });
  port = Number(new URL(app.baseUrl).port);
  token = (await signUpAndLogIn(app.baseUrl, 'limits')).token;
});
afterAll(async () => {
  await app.stop();
  fs.rmSync(storageDir, { recursive: true, force: true });
});

describe('uploads that break the rules', () => {
  it('sweeps partial files older than the request timeout at start and keeps recent ones', () => {
    expect(partialFiles().map((f) => path.basename(f))).toEqual(['.tmp-fresh']);
    fs.rmSync(path.join(storageDir, 'tasks', 'dead'), { recursive: true });
  });

  it.each([
    ['a second file', filePart('file', 'small') + filePart('file', 'x'.repeat(2 * 1024 * 1024)), 400],
    ['a file over the limit', filePart('file', 'x'.repeat(2 * 1024 * 1024)), 413],
  ])('after refusing %s, a keep-alive connection is closed rather than left with an unread body', async (_name, parts, status) => {
    const body = `${parts}--${BOUNDARY}--\r\n`;
    const conn = await RawConnection.open(port);
    try {
      // Not awaited: a server that stops reading leaves the rest of the body in the socket buffers.
      void conn.write(uploadHead(Buffer.byteLength(body)) + body);
      const first = await conn.response();
      expect(first?.status).toBe(status);
      expect(JSON.parse(first!.body).error.code).toMatch(/^(validation_failed|payload_too_large)$/);
      void conn.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      // Either the server said it closes and does, or it answers the next request: never silence.
      const second = await conn.response();
      if (second) expect(second.status).toBe(200);
      else expect(first!.headers.connection).toBe('close');
    } finally {
      conn.destroy();
    }
    expect(partialFiles()).toEqual([]);
  });

  it.each([
    ['too many fields', `${Array.from({ length: 12 }, (_, i) => fieldPart(`f${i}`, 'v')).join('') + filePart('file', 'data')}--${BOUNDARY}--\r\n`, undefined],
    ['no boundary in the content type', `${filePart('file', 'data')}--${BOUNDARY}--\r\n`, 'multipart/form-data'],
    ['no closing boundary', filePart('file', 'data'), undefined],
    ['garbage instead of parts', 'this is not multipart at all', undefined],
  ])('answers malformed multipart (%s) with a 400 in the one error format', async (_name, body, contentType) => {
    const conn = await RawConnection.open(port);
    try {
      await conn.write(uploadHead(Buffer.byteLength(body), contentType) + body);
      const response = await conn.response();
      expect(response?.status).toBe(400);
      const error = JSON.parse(response!.body).error;
      expect(error.code).toMatch(/^(bad_request|validation_failed)$/);
      expect(error.message).not.toMatch(/node_modules|\.js|\.ts/);
    } finally {
      conn.destroy();
    }
    expect(partialFiles()).toEqual([]);
  });

  it('answers and closes a body that never finishes, and keeps no partial file', async () => {
    const conn = await RawConnection.open(port);
    try {
      await conn.write(uploadHead(100_000) + filePart('file', 'the start of a video'));
      const response = await conn.response();
      expect(response?.status).toBe(408);
      expect(JSON.parse(response!.body).error.code).toBe('request_timeout');
      await conn.closed;
    } finally {
      conn.destroy();
    }
    await waitUntil(() => partialFiles().length === 0); // the aborted upload removes its file as it unwinds
  });

  it('a burst of unfinished bodies gives its file descriptors back and the server keeps serving', async () => {
    const before = openFds();
    const conns = await Promise.all(Array.from({ length: 40 }, () => RawConnection.open(port)));
    try {
      await Promise.all(conns.map((c) => c.write(uploadHead(100_000) + filePart('file', 'stalled'))));
      await Promise.all(conns.map((c) => c.closed));
    } finally {
      for (const c of conns) c.destroy();
    }
    await waitUntil(() => partialFiles().length === 0); // the aborted upload removes its file as it unwinds
    expect(openFds()).toBeLessThanOrEqual(before + 5);
    expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200);
  });
});

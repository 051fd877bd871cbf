import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { call } from '../../../test/http.ts';
import { landscapeVideo } from '../../../test/videos.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { checkTarget, downloadTo, ImportError, isPublicAddress, type Resolver } from './remote-fetch.ts';
import { waitForTask } from './test-helpers.ts';

// The only stand-in for the outside world: DNS answers for made-up public-looking names.
const fakeDns: Resolver = async (host) => {
  const table: Record<string, string[]> = {
    'videos.example.com': ['127.0.0.1'],
    'mixed.example.com': ['93.184.216.34', '10.1.2.3'],
    'public.example.com': ['93.184.216.34'],
  };
  if (!table[host]) throw new Error('NXDOMAIN');
  return table[host];
};

let server: http.Server;
let port: number;
let app: TestApp;
let token: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-ssrf-'));

beforeAll(async () => {
  const video = fs.readFileSync(await landscapeVideo(2, 'import.mp4'));
  server = http.createServer((req, res) => {
    if (req.url === '/video.mp4') return void res.writeHead(200, { 'content-type': 'video/mp4' }).end(video);
    if (req.url === '/to-video') return void res.writeHead(302, { location: '/video.mp4' }).end();
    if (req.url === '/to-private') return void res.writeHead(302, { location: `http://127.0.0.1:${port}/video.mp4` }).end();
    if (req.url === '/to-metadata') return void res.writeHead(301, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  app = await startTestApp({ queues: ['media.process'], env: { AULA_MEDIA_IMPORT_ALLOW_HOSTS: 'localhost' } });
  token = (await signUpAndLogIn(app.baseUrl, 'importer')).token;
});
afterAll(async () => {
  await app.stop();
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('address classification', () => {
  it.each([
    '127.0.0.1',
    '::1',
    '169.254.169.254',
    '10.0.0.1',
    '172.16.5.4',
    '192.168.1.1',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    'fe80::1',
    'fc00::1',
    '::ffff:127.0.0.1',
    '::7f00:1',
    '255.255.255.255',
  ])('%s is not public', (address) => expect(isPublicAddress(address)).toBe(false));
  it.each(['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '8.8.8.8'])('%s is public', (address) => expect(isPublicAddress(address)).toBe(true));
});

describe('import targets', () => {
  const policy = { allowHosts: [], resolve: fakeDns };
  it.each([
    'http://127.0.0.1/x.mp4',
    'http://[::1]/',
    'http://169.254.169.254/',
    'http://10.0.0.1/',
    'http://videos.example.com/a.mp4',
    'http://mixed.example.com/a.mp4',
  ])('refuses %s', async (url) => {
    await expect(checkTarget(new URL(url), policy)).rejects.toBeInstanceOf(ImportError);
  });
  it('accepts a name that resolves to public addresses only, and refuses other schemes and credentials', async () => {
    await expect(checkTarget(new URL('https://public.example.com/a.mp4'), policy)).resolves.toBe('93.184.216.34');
    await expect(checkTarget(new URL('file:///etc/passwd'), policy)).rejects.toBeInstanceOf(ImportError);
    await expect(checkTarget(new URL('http://user:pw@public.example.com/'), policy)).rejects.toBeInstanceOf(ImportError);
  });
  it('re-checks every redirect: an allowed host redirecting to a private address is refused', async () => {
    const allowLocal = { maxBytes: 10_000_000, timeoutMs: 5000, allowHosts: ['localhost'] };
    const signal = new AbortController().signal;
    await expect(downloadTo(`http://localhost:${port}/to-private`, path.join(dir, 'a'), allowLocal, signal)).rejects.toThrow(/non-public address/);
    await expect(downloadTo(`http://localhost:${port}/to-metadata`, path.join(dir, 'b'), allowLocal, signal)).rejects.toThrow(/non-public address/);
    await downloadTo(`http://localhost:${port}/to-video`, path.join(dir, 'c'), allowLocal, signal);
    expect(fs.statSync(path.join(dir, 'c')).size).toBeGreaterThan(1000);
    await expect(downloadTo(`http://localhost:${port}/video.mp4`, path.join(dir, 'd'), { ...allowLocal, maxBytes: 100 }, signal)).rejects.toThrow(
      /larger than 100 bytes/,
    );
  });
});

describe('URL imports through the API', () => {
  it.each(['http://127.0.0.1/x.mp4', 'http://[::1]/', 'http://169.254.169.254/', 'http://10.0.0.1/'])('answers 422 for %s', async (url) => {
    const res = await call(app.baseUrl, 'POST', '/api/tasks', { token, body: { url } });
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe('url_refused');
  });

  it('a redirect to a private address gives a failed task with the reason', async () => {
    const res = await call(app.baseUrl, 'POST', '/api/tasks', { token, body: { url: `http://localhost:${port}/to-private` } });
    expect(res.status).toBe(201);
    const task = await waitForTask(app.baseUrl, token, res.body.id);
    expect(task.status).toBe('failed');
    expect(task.error).toMatch(/non-public address/);
  });

  it('imports a real video from the (test-allowed) local server', async () => {
    const res = await call(app.baseUrl, 'POST', '/api/tasks', { token, body: { url: `http://localhost:${port}/to-video`, title: 'imported' } });
    expect(res.status).toBe(201);
    const task = await waitForTask(app.baseUrl, token, res.body.id);
    expect(task).toMatchObject({ status: 'processed', title: 'imported', output: { width: 1280, height: 720 } });
    expect((await fetch(`${app.baseUrl}${task.links.original}`)).status).toBe(200);
  });
});

import http from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { expect, test, type Route } from '@playwright/test';
import { checkPage, clientAddress, logIn, makeVideo, signUp } from './helpers.ts';

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

test('an upload interrupted by a reload resumes, is processed, plays; others cannot see it', async ({ page, request, browser }, testInfo) => {
  const video = makeVideo('lecture.mp4', 6, 5); // ~5 MB: three 2 MB chunks
  const size = fs.statSync(video).size;
  const owner = await signUp(request, 'uploader');
  await logIn(page, owner.username, owner.password);
  await checkPage(page, testInfo, 'videos-empty');

  // Let the first chunk through, then hold the second one until the page goes away.
  let patches = 0;
  const held: Route[] = [];
  await page.route('**/api/tasks/uploads/*', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    patches += 1;
    if (patches === 1) return route.continue();
    held.push(route);
  });
  const firstChunk = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.status() === 204);
  await page.locator('#video-files').setInputFiles(video);
  await firstChunk;
  await expect.poll(() => held.length).toBe(1);
  await page.unrouteAll({ behavior: 'ignoreErrors' });
  await page.reload();

  // The same file again: tus-js-client finds the earlier upload and continues from the server's offset.
  const offsets: number[] = [];
  page.on('request', (r) => {
    if (r.method() === 'PATCH') offsets.push(Number(r.headers()['upload-offset']));
  });
  // The request cut by the reload may still hold the upload's lock for a moment; tus-js-client retries until HEAD answers,
  // after 0, 1, 3, 5 and 10 s (the Uploader's retryDelays): wait longer than that schedule, not the default 15 s.
  const head = page.waitForResponse((r) => r.request().method() === 'HEAD' && r.url().includes('/api/tasks/uploads/') && r.status() === 200, {
    timeout: 60_000,
  });
  await page.locator('#video-files').setInputFiles(video);
  // At least the first chunk arrived; the held one may have been cut part-way by the reload.
  const resumedAt = Number((await head).headers()['upload-offset']);
  expect(resumedAt).toBeGreaterThanOrEqual(2 * 1024 * 1024);
  expect(resumedAt).toBeLessThan(size);
  await expect(page.getByText('Uploaded')).toBeVisible();
  expect(offsets[0]).toBe(resumedAt);
  expect(offsets.every((o) => o > 0 && o < size)).toBe(true);

  // Live status over SSE, then a thumbnail.
  const card = page.getByTestId('task-card').filter({ hasText: 'lecture' });
  await expect(card.getByText('Ready').first()).toBeVisible({ timeout: 150_000 });
  await expect(card.getByRole('img', { name: 'Thumbnail of lecture' })).toBeVisible();
  await checkPage(page, testInfo, 'videos');

  // The player streams with Range requests (206 Partial Content).
  const ranged = page.waitForResponse((r) => r.url().includes('/processed?') && r.status() === 206);
  await card.getByRole('link', { name: 'lecture' }).click();
  expect((await ranged).headers()['content-range']).toMatch(/^bytes 0-\d+\/\d+$/);
  const player = page.getByTestId('player');
  await expect(player).toBeVisible();
  const duration = await player.evaluate((v: HTMLVideoElement) =>
    v.readyState >= 1 ? v.duration : new Promise<number>((resolve) => v.addEventListener('loadedmetadata', () => resolve(v.duration), { once: true })),
  );
  expect(duration).toBeGreaterThan(3);
  await checkPage(page, testInfo, 'video-player');
  await page.locator('label', { hasText: /^Original$/ }).click();
  await expect(player).toHaveAttribute('src', /\/original\?/);
  const videoUrl = page.url();

  // Another student: the video is a 404 for them, and the admin pages send them away.
  const other = await signUp(request, 'other');
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  const otherPage = await context.newPage();
  await logIn(otherPage, other.username, other.password);
  await expect(otherPage.getByText('No videos yet')).toBeVisible();
  await otherPage.goto(videoUrl);
  await expect(otherPage.getByRole('alert')).toContainText('does not exist, or is not yours');
  await otherPage.goto('/admin/users');
  await expect(otherPage).toHaveURL(/\/videos$/);
  await expect(otherPage.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await context.close();
});

test('import by URL, then cancel it with confirmation; paging', async ({ page, request }) => {
  const video = makeVideo('remote.mp4', 4, 1);
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': fs.statSync(video).size });
    fs.createReadStream(video).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const user = await signUp(request, 'importer');
    await logIn(page, user.username, user.password);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/remote.mp4`;
    await page.getByLabel('Import from a URL').fill(url);
    await page.getByLabel('Title (optional)').fill('From the web');
    await page.getByRole('button', { name: 'Import' }).click();
    const card = page.getByTestId('task-card').filter({ hasText: 'From the web' });
    await expect(card).toBeVisible();
    await card.getByRole('button', { name: /^(Cancel|Delete): From the web$/ }).click();
    await expect(page.getByRole('dialog', { name: 'Delete this video?' })).toBeVisible();
    await page.getByRole('button', { name: 'Keep it' }).click();
    await expect(card).toBeVisible();
    await card.getByRole('button', { name: /^(Cancel|Delete): From the web$/ }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await expect(card).toHaveCount(0);
    await expect(page.getByText('No videos yet')).toBeVisible();

    // 13 tasks: the first page shows 12, "Show more" the rest.
    const login = await request.post('/api/auth/login', { data: { username: user.username, password: user.password } });
    const token = ((await login.json()) as { token: string }).token;
    for (let i = 0; i < 13; i++) {
      const res = await request.post('/api/tasks', { data: { url, title: `Clip ${i}` }, headers: { authorization: `Bearer ${token}` } });
      expect(res.status()).toBe(201);
    }
    await page.reload();
    await expect(page.getByTestId('task-card')).toHaveCount(12);
    await page.getByRole('button', { name: 'Show more' }).click();
    await expect(page.getByTestId('task-card')).toHaveCount(13);
    // Stop the imports so they do not load the workers during later tests.
    const list = await request.get('/api/tasks?max=100', { headers: { authorization: `Bearer ${token}` } });
    for (const task of ((await list.json()) as { data: Array<{ id: string }> }).data)
      await request.delete(`/api/tasks/${task.id}`, { headers: { authorization: `Bearer ${token}` } });
  } finally {
    server.close();
  }
});

test('several files dropped at once upload side by side, and a dropped connection is retried where it stopped', async ({ page, request }) => {
  const video = makeVideo('dropped.mp4', 4, 3); // two chunks
  const user = await signUp(request, 'dropper');
  await logIn(page, user.username, user.password);

  let aborted = 0;
  await page.route('**/api/tasks/uploads/*', async (route) => {
    if (route.request().method() === 'PATCH' && aborted === 0) {
      aborted += 1;
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  const heads: string[] = [];
  page.on('request', (r) => r.method() === 'HEAD' && heads.push(r.url()));

  const bytes = fs.readFileSync(video).toString('base64');
  const transfer = await page.evaluateHandle((b64) => {
    const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    for (const name of ['first-drop.mp4', 'second-drop.mp4']) dt.items.add(new File([data], name, { type: 'video/mp4' }));
    return dt;
  }, bytes);
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer: transfer });

  await expect(page.getByRole('progressbar', { name: 'Upload of first-drop.mp4' })).toBeVisible();
  await expect(page.getByRole('progressbar', { name: 'Upload of second-drop.mp4' })).toBeVisible();
  await expect(page.getByText('Uploaded')).toHaveCount(2);
  expect(aborted).toBe(1);
  // tus-js-client asked the server how far it got before sending the rest again.
  expect(heads.length).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('task-card')).toHaveCount(2);

  const login = await request.post('/api/auth/login', { data: { username: user.username, password: user.password } });
  const token = ((await login.json()) as { token: string }).token;
  const list = await request.get('/api/tasks', { headers: { authorization: `Bearer ${token}` } });
  for (const task of ((await list.json()) as { data: Array<{ id: string }> }).data)
    await request.delete(`/api/tasks/${task.id}`, { headers: { authorization: `Bearer ${token}` } });
});

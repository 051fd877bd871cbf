import { AxeBuilder } from '@axe-core/playwright';
import { expect, type APIRequestContext, type Browser, type Page, type TestInfo } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ADMIN } from './global-setup.ts';

let counter = 0;
/** A new account's sign-up fields, unique in this run. */
export function newAccount(prefix: string) {
  counter += 1;
  const username = `${prefix}${process.pid}n${counter}${Date.now() % 100000}`;
  return { username, email: `${username}@e2e.example`, password: 'Str0ngPass1', password2: 'Str0ngPass1' };
}

/** A distinct client address per test (Aula trusts X-Forwarded-For in this run), so per-IP limits apply per test. */
export const clientAddress = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

/** Signs an account up through the API (fast), returning its fields and id. */
export async function signUp(request: APIRequestContext, prefix: string) {
  const account = newAccount(prefix);
  const res = await request.post('/api/auth/signup', { data: account, headers: { 'x-forwarded-for': clientAddress() } });
  expect(res.status(), await res.text()).toBe(201);
  return { ...account, id: ((await res.json()) as { id: string }).id };
}

/** An admin's access token (Bearer) for setting up roles. */
export async function adminToken(request: APIRequestContext): Promise<string> {
  const res = await request.post('/api/auth/login', { data: ADMIN, headers: { 'x-forwarded-for': clientAddress() } });
  expect(res.status()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** Signs up an account and makes it a teacher. */
export async function signUpTeacher(request: APIRequestContext, prefix: string) {
  const account = await signUp(request, prefix);
  const res = await request.post('/api/users/promote', {
    data: { emails: [account.email] },
    headers: { authorization: `Bearer ${await adminToken(request)}` },
  });
  expect(res.status()).toBe(200);
  return account;
}

/** Logs in through the form and waits for the videos page. */
export async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel(/Username or e-mail|Usuario o correo/).fill(login);
  await page.getByRole('textbox', { name: /^(Password|Contraseña)$/ }).fill(password);
  await page.getByRole('button', { name: /^(Log in|Entrar)$/ }).click();
  await expect(page).toHaveURL(/\/videos$/);
}

/**
 * Checks the page with axe (no serious or critical violation) at desktop width and at
 * 375 px, and saves a full-page screenshot of each as a test artifact.
 */
export async function checkPage(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const original = page.viewportSize() ?? { width: 1280, height: 800 };
  for (const [label, size] of [
    ['desktop', original],
    ['375px', { width: 375, height: 740 }],
  ] as const) {
    await page.setViewportSize(size);
    await page.waitForLoadState('networkidle').catch(() => undefined);
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`),
      `${name} at ${label}`,
    ).toEqual([]);
    const file = testInfo.outputPath(`${name}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    const shots = path.join(import.meta.dirname, '..', 'test-results', 'screenshots');
    fs.mkdirSync(shots, { recursive: true });
    fs.copyFileSync(file, path.join(shots, `${name}-${label}.png`));
    await testInfo.attach(`${name}-${label}`, { path: file, contentType: 'image/png' });
  }
  await page.setViewportSize(original);
}

const require = createRequire(import.meta.url);
function ffmpegPath(): string {
  if (process.env.FFMPEG_PATH) return process.env.FFMPEG_PATH;
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' });
    return 'ffmpeg';
  } catch {
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  }
}

/** A test video of about `megabytes` MB (noise compresses badly, so the size is reached quickly). */
export function makeVideo(name: string, seconds: number, megabytes: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-e2e-video-'));
  const file = path.join(dir, name);
  const bitrate = Math.ceil((megabytes * 8 * 1024) / seconds);
  execFileSync(ffmpegPath(), [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=640x360:rate=25:duration=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `anoisesrc=duration=${seconds}:amplitude=0.2`,
    '-vf',
    'noise=alls=60:allf=t',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-b:v',
    `${bitrate}k`,
    '-maxrate',
    `${bitrate}k`,
    '-bufsize',
    `${bitrate}k`,
    '-c:a',
    'aac',
    '-shortest',
    file,
  ]);
  return file;
}

/** Logs in through the API and returns the access token. */
export async function tokenOf(request: APIRequestContext, login: string, password: string): Promise<string> {
  const res = await request.post('/api/auth/login', { data: { username: login, password }, headers: { 'x-forwarded-for': clientAddress() } });
  expect(res.status(), await res.text()).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** A new browser context of its own, logged in as the user (for a second person in one test). */
export async function pageFor(browser: Browser, login: string, password: string) {
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  const page = await context.newPage();
  await logIn(page, login, password);
  return { context, page };
}

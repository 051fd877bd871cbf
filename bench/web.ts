import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import globalSetup from '../web/e2e/global-setup.ts';
import type { BenchRow } from './table.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const scratch = path.join(root, '.tmp', 'bench-web');
const TASKS = 1000;
const RUNS = 5;
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Gzip sizes (kB) of the JS and CSS that index.html loads at first paint. */
function firstLoad(dist: string): { js: number; css: number } {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.(js|css))"/g)];
  const size = (ext: string) => refs.filter((m) => m[2] === ext).reduce((sum, m) => sum + gzipSync(fs.readFileSync(path.join(dist, m[1]!))).length, 0) / 1024;
  return { js: size('js'), css: size('css') };
}

/** Our production build, and an empty Vite + React app built with the same Vite and plugin. */
async function bundles(): Promise<BenchRow[]> {
  const ours = path.join(scratch, 'ours');
  await build({ configFile: path.join(root, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir: ours, emptyOutDir: true } });
  const empty = path.join(scratch, 'empty-app');
  fs.mkdirSync(path.join(empty, 'src'), { recursive: true });
  fs.writeFileSync(
    path.join(empty, 'index.html'),
    '<!doctype html><html lang="en"><head><title>empty</title></head><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>',
  );
  fs.writeFileSync(
    path.join(empty, 'src', 'main.tsx'),
    "import { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')!).render(<h1>Hello</h1>);\n",
  );
  await build({ root: empty, configFile: false, plugins: [react()], logLevel: 'warn', build: { outDir: path.join(empty, 'dist'), emptyOutDir: true } });
  const a = firstLoad(ours);
  const b = firstLoad(path.join(empty, 'dist'));
  const mantineCss = gzipSync(fs.readFileSync(path.join(root, 'node_modules', '@mantine', 'core', 'styles.css'))).length / 1024;
  return [
    { case: 'first-load JS, gzip (goal ≤ 250 kB)', unit: 'kB', ours: a.js, baseline: b.js, baselineName: 'empty Vite + React app', higherIsBetter: false },
    {
      case: 'first-load CSS, gzip',
      unit: 'kB',
      ours: a.css,
      baseline: mantineCss,
      baselineName: 'Mantine’s stylesheet alone (the empty app has none)',
      higherIsBetter: false,
    },
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Milliseconds from navigation start to the first task card (or the empty message) on a reload of /videos, median of RUNS. */
async function firstRender(url: string, login: { username: string; password: string }, selector: string): Promise<number> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/login`);
    await page.getByLabel('Username or e-mail').fill(login.username);
    await page.getByRole('textbox', { name: 'Password', exact: true }).fill(login.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(/\/videos$/);
    await page.waitForSelector(selector);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await page.reload({ waitUntil: 'commit' });
      await page.waitForSelector(selector);
      times.push(await page.evaluate(() => performance.now()));
    }
    return median(times);
  } finally {
    await browser.close();
  }
}

async function account(url: string, name: string) {
  const body = {
    username: `${name}${Date.now() % 100000}`,
    email: `${name}${Date.now() % 100000}@bench.example`,
    password: 'Str0ngPass1',
    password2: 'Str0ngPass1',
  };
  const signup = await fetch(`${url}/api/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (signup.status !== 201) throw new Error(`sign-up answered ${signup.status}`);
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: body.username, password: body.password }),
  });
  return { ...body, token: ((await login.json()) as { token: string }).token };
}

/** The video list's first render with TASKS tasks, next to the same page with none. */
async function videoList(): Promise<BenchRow[]> {
  const stop = await globalSetup();
  try {
    const url = process.env.AULA_E2E_URL!;
    const busy = await account(url, 'busy');
    // URL imports of an address nothing listens on: each becomes a task (and fails fast in the worker).
    let next = 0;
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        while (next++ < TASKS) {
          const res = await fetch(`${url}/api/tasks`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${busy.token}` },
            body: JSON.stringify({ url: 'http://127.0.0.1:9/x.mp4', title: `Task ${next}` }),
          });
          if (res.status !== 201) throw new Error(`task creation answered ${res.status}`);
        }
      }),
    );
    const idle = await account(url, 'idle');
    const full = await firstRender(url, busy, '[data-testid=task-card]');
    const none = await firstRender(url, idle, 'text=No videos yet');
    return [
      {
        case: `video list, first render on reload, ${TASKS} tasks (Chromium)`,
        unit: 'ms',
        ours: full,
        baseline: none,
        baselineName: 'the same page with no tasks',
        higherIsBetter: false,
      },
    ];
  } finally {
    await stop();
  }
}

/** Bundle sizes and the video list's time to first render. */
export async function webBench(): Promise<BenchRow[]> {
  return [...(await bundles()), ...(await videoList())];
}

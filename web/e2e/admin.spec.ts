import { expect, test } from '@playwright/test';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ADMIN } from './global-setup.ts';
import { checkPage, clientAddress, logIn, signUp } from './helpers.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const haproxyInstalled = (() => {
  try {
    execFileSync('haproxy', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

test('an admin searches users, changes a role, promotes pasted e-mails, sees processes, the cluster view and the queue dashboard', async ({
  page,
  request,
}, testInfo) => {
  const carla = await signUp(request, 'carla');
  const dan = await signUp(request, 'dan');
  await logIn(page, ADMIN.email, ADMIN.password);

  await page.getByRole('link', { name: 'Users' }).click();
  const search = page.getByLabel('Search by name or e-mail');
  await search.fill(carla.username);
  const role = page.getByLabel(`Role of ${carla.email}`);
  await expect(role).toHaveValue('student');
  await checkPage(page, testInfo, 'admin-users');
  await role.selectOption('teacher');
  // The directory is a read model: it catches up a moment after the change.
  await expect(async () => {
    await page.reload();
    await page.getByLabel('Search by name or e-mail').fill(carla.username);
    await expect(page.getByLabel(`Role of ${carla.email}`)).toHaveValue('teacher', { timeout: 2000 });
  }).toPass({ timeout: 20_000 });

  await page.getByLabel('Make teachers by e-mail').fill(`${dan.email}\nghost@nowhere.example`);
  await page.getByRole('button', { name: 'Make teachers' }).click();
  await expect(page.getByText('1 promoted')).toBeVisible();
  await expect(page.getByText('ghost@nowhere.example')).toBeVisible();

  await page.getByRole('link', { name: 'Processes' }).click();
  await expect(page.getByRole('table', { name: 'Processes' }).getByText('Alive').first()).toBeVisible();
  await checkPage(page, testInfo, 'admin-processes');

  // Started with `aula start`, not `aula cluster`: the cluster page says so and how to start one.
  await page.getByRole('link', { name: 'Cluster', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Cluster', level: 2 })).toBeVisible();
  await expect(page.getByText('Aula is not running as a cluster')).toBeVisible();
  await expect(page.getByText('aula cluster --api 2 --workers 1')).toBeVisible();
  await checkPage(page, testInfo, 'admin-cluster');
  await page.getByRole('link', { name: 'See the registered processes' }).click();

  await page.getByRole('link', { name: 'Open the queue dashboard' }).click();
  await expect(page).toHaveURL(/\/admin\/queues/);
  await expect(page.getByText('media.process').first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('admin-queues-desktop.png'), fullPage: true });
});

test('a student is sent away from the queue dashboard', async ({ page, request }) => {
  const student = await signUp(request, 'nosy');
  await logIn(page, student.username, student.password);
  const res = await page.goto('/admin/queues');
  expect(res?.status()).toBe(403);
  await page.goto('/admin/processes');
  await expect(page).toHaveURL(/\/videos$/);
  await page.goto('/admin/cluster');
  await expect(page).toHaveURL(/\/videos$/);
});

test('an admin sees the instances of a real `aula cluster`: state, last ping, restarts', async ({ browser }, testInfo) => {
  test.skip(!haproxyInstalled, 'aula cluster needs HAProxy (apt-get install haproxy)');
  test.setTimeout(240_000);
  // Its own Aula: `aula cluster --api 1 --workers 1` (HAProxy, one API process, one worker, embedded PostgreSQL) on loopback.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-e2e-cluster-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { DATABASE_URL: _db, REDIS_URL: _redis, ...inherited } = process.env;
  const log = fs.openSync(path.join(dataDir, 'cluster.log'), 'a');
  const child = spawn(process.execPath, ['bin/aula.js', 'cluster', '--api', '1', '--workers', '1'], {
    cwd: repo,
    env: {
      ...inherited,
      PORT: String(port),
      HOST: '127.0.0.1',
      AULA_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AULA_ADMIN_EMAIL: ADMIN.email,
      AULA_ADMIN_PASSWORD: ADMIN.password,
    },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const context = await browser.newContext({ baseURL: url });
  try {
    await expect(async () => {
      expect(child.exitCode, fs.readFileSync(path.join(dataDir, 'cluster.log'), 'utf8').slice(-3000)).toBeNull();
      expect((await fetch(`${url}/ready`)).ok).toBe(true);
    }).toPass({ timeout: 150_000, intervals: [500] });
    const page = await context.newPage();
    await logIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole('link', { name: 'Cluster', exact: true }).click();
    const table = page.getByRole('table', { name: 'Cluster instances' });
    const api = table.getByRole('row', { name: /api-1/ });
    const worker = table.getByRole('row', { name: /worker-1/ });
    // The page polls every 5 s; the worker has no ping (it serves no HTTP), the API instance has one.
    await expect(api).toContainText('Ready', { timeout: 60_000 });
    await expect(worker).toContainText('Ready', { timeout: 60_000 });
    await expect(api).not.toContainText('Never');
    await expect(worker).toContainText('Not pinged');
    await expect(api.getByRole('cell').nth(4)).toHaveText('0');
    await expect(page.getByText(/^Supervisor running since/)).toBeVisible();
    await checkPage(page, testInfo, 'admin-cluster-running');
  } finally {
    await context.close();
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    fs.closeSync(log);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

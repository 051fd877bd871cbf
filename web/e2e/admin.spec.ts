import { expect, test } from '@playwright/test';
import { ADMIN } from './global-setup.ts';
import { checkPage, clientAddress, logIn, signUp } from './helpers.ts';

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

test('an admin searches users, changes a role, promotes pasted e-mails, sees processes, the cluster view and the queue dashboard', async ({ page, request }, testInfo) => {
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

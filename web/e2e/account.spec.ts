import { expect, test } from '@playwright/test';
import { checkPage, clientAddress, newAccount, signUp } from './helpers.ts';

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

test('sign up, stay logged in across reloads, edit the profile, log out', async ({ page }, testInfo) => {
  const account = newAccount('acct');
  await page.goto('/signup');
  await checkPage(page, testInfo, 'signup');
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('E-mail').fill(account.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(account.password);
  await page.getByLabel('Repeat the password').fill(account.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page).toHaveURL(/\/videos$/);
  await expect(page.getByText('No videos yet')).toBeVisible();

  // The access token lives in memory only; the reload restores the session from the httpOnly cookie.
  expect(await page.evaluate(() => document.cookie)).toBe('');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'My videos', level: 2 })).toBeVisible();

  await page.getByRole('link', { name: 'My account' }).click();
  await checkPage(page, testInfo, 'profile');
  await page.getByLabel('Username').fill(`${account.username}x`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByText('Your changes are saved.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Username')).toHaveValue(`${account.username}x`);

  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await page.goto('/videos');
  await expect(page).toHaveURL(/\/login$/);
});

test('clear messages for a wrong password (401), a taken e-mail (409) and too many attempts (429)', async ({ page, request }, testInfo) => {
  const taken = await signUp(request, 'taken');
  await page.goto('/signup');
  const other = newAccount('dupe');
  await page.getByLabel('Username').fill(other.username);
  await page.getByLabel('E-mail').fill(taken.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill(other.password);
  await page.getByLabel('Repeat the password').fill(other.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
  await expect(page.getByRole('alert')).toContainText('already taken');

  await page.goto('/login');
  await checkPage(page, testInfo, 'login');
  await page.getByLabel('Username or e-mail').fill(taken.email);
  await page.getByRole('textbox', { name: 'Password', exact: true }).fill('Wr0ngPassword');
  const submit = page.getByRole('button', { name: 'Log in' });
  await submit.click();
  await expect(page.getByRole('alert')).toContainText('The username, e-mail or password is not correct.');
  // The limit is 8 attempts per window for this account: keep trying until Aula says to wait.
  for (let i = 0; i < 10; i++) {
    const answered = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'));
    await submit.click();
    if ((await answered).status() === 429) break;
  }
  await expect(page.getByRole('alert')).toContainText(/Too many attempts\. Wait \d+ seconds/);
});

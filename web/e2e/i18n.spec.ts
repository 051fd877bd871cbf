import { expect, test } from '@playwright/test';
import { checkPage, clientAddress, logIn, signUp } from './helpers.ts';

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

test('the language switch changes every text, is remembered, and dates follow the locale', async ({ page, request }, testInfo) => {
  const user = await signUp(request, 'lang');
  await logIn(page, user.username, user.password);
  await page.getByLabel('Language').selectOption('es');
  await expect(page.getByRole('heading', { name: 'Mis videos', level: 2 })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Mis videos', level: 2 })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Cerrar sesión' })).toBeVisible();
  await checkPage(page, testInfo, 'videos-es');
  await page.getByRole('button', { name: 'Cerrar sesión' }).click();
  await expect(page.getByRole('heading', { name: 'Iniciar sesión' })).toBeVisible();
  await page.getByLabel('Idioma').selectOption('en');
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
});

test.describe('a Spanish-speaking browser', () => {
  test.use({ locale: 'es-AR' });
  test('gets Spanish at first visit, and dates in its own format', async ({ page, request }) => {
    const user = await signUp(request, 'arg');
    await page.goto('/login');
    await expect(page.getByRole('heading', { name: 'Iniciar sesión' })).toBeVisible();
    await logIn(page, user.username, user.password);
    const login = await request.post('/api/auth/login', { data: { username: user.username, password: user.password } });
    const token = ((await login.json()) as { token: string }).token;
    await request.post('/api/tasks', { data: { url: 'http://127.0.0.1:9/none.mp4', title: 'Fecha' }, headers: { authorization: `Bearer ${token}` } });
    await page.reload();
    // es-AR writes "2 dic 2026" style dates, day first.
    const card = page.getByTestId('task-card').filter({ hasText: 'Fecha' });
    await expect(card).toContainText(new Intl.DateTimeFormat('es-AR', { dateStyle: 'medium' }).format(new Date()));
  });
});

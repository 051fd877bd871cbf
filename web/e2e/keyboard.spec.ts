import { expect, test } from '@playwright/test';
import { clientAddress, signUp } from './helpers.ts';

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

test('log in and move around with the keyboard alone, with a visible focus ring', async ({ page, request }) => {
  const user = await signUp(request, 'keys');
  await page.goto('/login');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  const outline = await skip.evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');

  await page.getByLabel('Username or e-mail').focus();
  await page.keyboard.type(user.username);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('textbox', { name: 'Password', exact: true })).toBeFocused();
  await page.keyboard.type(user.password);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/videos$/);

  // Tab reaches the navigation; Enter follows a link.
  const courses = page.getByRole('link', { name: 'My courses' });
  for (let i = 0; i < 12 && !(await courses.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
  await expect(courses).toBeFocused();
  expect(await courses.evaluate((el) => getComputedStyle(el).outlineStyle)).not.toBe('none');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/courses$/);
  await expect(page.getByText('You are not enrolled in any course yet')).toBeVisible();
});

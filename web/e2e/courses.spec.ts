import { expect, test } from '@playwright/test';
import { checkPage, clientAddress, logIn, signUp, signUpTeacher } from './helpers.ts';

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

test('a teacher enrols by pasted e-mails, grades inline and by paste, and the chart changes; the student sees it', async ({
  page,
  request,
  browser,
}, testInfo) => {
  const teacher = await signUpTeacher(request, 'teacher');
  const ana = await signUp(request, 'ana');
  const ben = await signUp(request, 'ben');
  await logIn(page, teacher.username, teacher.password);

  const code = `WEB${Date.now() % 100000}`;
  await page.getByRole('link', { name: 'Subjects' }).click();
  await expect(page.getByText('No subjects yet')).toBeVisible();
  await page.getByLabel('Code').fill(code);
  await page.getByLabel('Name').fill('Web development');
  await page.getByRole('button', { name: 'Add subject' }).click();
  await expect(page.getByRole('cell', { name: code })).toBeVisible();
  await checkPage(page, testInfo, 'subjects');

  await page.getByRole('link', { name: 'My courses' }).click();
  await expect(page.getByText('You have no course groups yet')).toBeVisible();
  await page.getByLabel('Group').fill('A');
  await page.getByRole('button', { name: 'Create group' }).click();
  await page.getByRole('link', { name: `${code} · Web development` }).click();
  await expect(page.getByText('No students yet')).toBeVisible();

  await page.getByLabel('Enrol students by e-mail').fill(`${ana.email}, ${ben.email}\nnobody@nowhere.example`);
  await page.getByRole('button', { name: 'Enrol', exact: true }).click();
  await expect(page.getByText('2 enrolled')).toBeVisible();
  await expect(page.getByTestId('unknown-emails')).toHaveText('nobody@nowhere.example');
  await expect(page.getByRole('cell', { name: ana.email })).toBeVisible();
  await checkPage(page, testInfo, 'course-students');

  await page.getByRole('tab', { name: 'Assignments' }).click();
  await page.getByRole('textbox', { name: 'Assignment', exact: true }).fill('Landing page');
  await page.getByRole('textbox', { name: 'Due', exact: true }).fill('2030-05-01T12:00');
  await page.getByRole('button', { name: 'Add assignment' }).click();
  await expect(page.getByRole('cell', { name: 'Landing page' })).toBeVisible();

  await page.getByRole('tab', { name: 'Grades' }).click();
  const anaCell = page.getByLabel(`Grade of ${ana.email}`);
  await anaCell.fill('3');
  await anaCell.press('Enter');
  await expect(page.getByRole('row', { name: new RegExp(ana.email) }).getByText('Saved')).toBeVisible();
  await page.getByLabel('Paste grades from a spreadsheet').fill(`${ben.email}\t4,5\nnot a line\n`);
  await page.getByRole('button', { name: 'Save pasted grades' }).click();
  await expect(page.getByText('1 grades saved')).toBeVisible();
  await expect(page.getByText('Not understood: “not a line”')).toBeVisible();
  await checkPage(page, testInfo, 'course-grades');

  // Grades reach stats through the queue; the table and chart show the group average.
  await page.getByRole('link', { name: 'Statistics' }).click();
  const table = page.getByTestId('stats-table');
  await expect(table).toContainText('3.75');
  const chart = page.getByTestId('chart').first();
  await expect(chart).toHaveAttribute('data-points', '3.75');
  await page.getByText('Week', { exact: true }).click();
  await expect(table).toContainText(/\d{4}-W\d{2}/);
  await page.getByText('Quarter', { exact: true }).click();
  await expect(table).toContainText(/\d{4}-Q\d/);
  await expect(page.getByTestId('assignment-stats')).toContainText(ben.email);
  await checkPage(page, testInfo, 'course-stats');

  // A re-grade changes the chart.
  await page.getByRole('link', { name: '← Back to the course' }).click();
  await page.getByRole('tab', { name: 'Grades' }).click();
  await page.getByLabel(`Grade of ${ana.email}`).fill('5');
  await page.getByLabel(`Grade of ${ana.email}`).press('Enter');
  await expect(page.getByRole('row', { name: new RegExp(ana.email) }).getByText('Saved')).toBeVisible();
  await page.getByRole('link', { name: 'Statistics' }).click();
  await expect(page.getByTestId('chart').first()).toHaveAttribute('data-points', '4.75');

  // The student: my courses, the assignment with its due date and grade, my progress.
  const context = await browser.newContext({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });
  const student = await context.newPage();
  await logIn(student, ana.username, ana.password);
  await student.getByRole('link', { name: 'My courses' }).click();
  await student.getByRole('link', { name: `${code} · Web development` }).click();
  const row = student.getByRole('row', { name: /Landing page/ });
  await expect(row).toContainText('2030');
  await expect(row).toContainText('5');
  await checkPage(student, testInfo, 'student-course');
  await student.getByRole('link', { name: 'My progress' }).first().click();
  await expect(student.getByRole('table', { name: `My figures in ${code}` })).toContainText('5');
  await expect(student.getByRole('table', { name: `My figures in ${code}` })).toContainText('4.5');
  await checkPage(student, testInfo, 'student-progress');
  await context.close();
});

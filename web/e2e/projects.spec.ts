import { expect, test, type APIRequestContext } from '@playwright/test';
import fs from 'node:fs';
import { checkPage, clientAddress, logIn, pageFor, tokenOf, makeVideo, signUp, signUpTeacher } from './helpers.ts';

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

/** A course group of the teacher's with these students enrolled (through the API: the courses spec tests the pages). */
async function courseWith(request: APIRequestContext, teacherToken: string, code: string, group: string, emails: string[]): Promise<string> {
  const headers = { authorization: `Bearer ${teacherToken}` };
  const subject = await request.post('/api/subjects', { data: { code, name: 'Software project' }, headers });
  expect([201, 200, 409]).toContain(subject.status());
  const course = await request.post('/api/courses', { data: { subjectCode: code, group, year: 2026, period: 2 }, headers });
  expect(course.status(), await course.text()).toBe(201);
  const id = ((await course.json()) as { id: string }).id;
  const enrol = await request.post(`/api/courses/${id}/enrolments`, { data: { emails }, headers });
  expect(enrol.status(), await enrol.text()).toBe(200);
  return id;
}

/** Uploads a short video as the user through the API and returns its task id (processing goes on in the background). */
async function uploadDemo(request: APIRequestContext, token: string): Promise<string> {
  const file = makeVideo('demo.mp4', 2, 0.5);
  const res = await request.post('/api/tasks', {
    headers: { authorization: `Bearer ${token}` },
    multipart: { title: 'Shop demo', file: { name: 'demo.mp4', mimeType: 'video/mp4', buffer: fs.readFileSync(file) } },
  });
  expect(res.status(), await res.text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

test('a team builds its project page; the teacher reviews; a classmate sees the showcase and rates; another course gets 404', async ({
  page,
  request,
  browser,
}, testInfo) => {
  const teacher = await signUpTeacher(request, 'pteacher');
  const ana = await signUp(request, 'pana');
  const ben = await signUp(request, 'pben');
  const cora = await signUp(request, 'pcora');
  const dave = await signUp(request, 'pdave');
  const eve = await signUp(request, 'peve');
  const code = `PRJ${Date.now() % 100000}`;
  const teacherToken = await tokenOf(request, teacher.username, teacher.password);
  const courseId = await courseWith(request, teacherToken, code, 'A', [ana.email, ben.email, cora.email, eve.email]);
  await courseWith(request, teacherToken, code, 'B', [dave.email]);
  const slug = `p${Date.now() % 1000000}-shop`;
  const secret = `s3cr3t-${Date.now()}-never-shown`;
  const anaToken = await tokenOf(request, ana.username, ana.password);
  const demoTask = await uploadDemo(request, anaToken);

  // The owner: from the navigation to the course's showcase, empty, then a new project.
  await logIn(page, ana.username, ana.password);
  await page.getByRole('link', { name: 'Projects', exact: true }).click();
  await expect(page.getByText('No projects yet.')).toBeVisible();
  await checkPage(page, testInfo, 'projects');
  await page.getByRole('link', { name: new RegExp(`Projects of ${code} .* Group A`) }).click();
  await expect(page.getByText('No projects in this course group yet. Create the first one')).toBeVisible();
  await checkPage(page, testInfo, 'project-showcase-empty');
  await page.getByRole('link', { name: 'New project' }).click();
  await page.getByLabel('Name').fill('Campus shop');
  await page.getByLabel(/^Slug/).fill(slug);
  await page.getByLabel('Description').fill('A shop for the campus.\nBuilt with React.');
  await page.getByLabel('Tags').fill('Web, react');
  await checkPage(page, testInfo, 'project-new');
  await page.getByRole('button', { name: 'Create project' }).click();
  await expect(page.getByRole('heading', { name: 'Campus shop', level: 2 })).toBeVisible();
  const projectUrl = page.url();
  expect(projectUrl).toMatch(/\/projects\/[0-9a-f-]{36}$/);
  // Tags come back normalised (trimmed, lowercase).
  await expect(page.getByRole('list', { name: 'Tags' }).getByRole('listitem')).toHaveText(['react', 'web']);

  // Stages: none yet; the team adds one.
  await expect(page.getByText('No stages yet. Add the first one')).toBeVisible();
  await page.getByLabel('Stage title').fill('Proposal');
  await page.getByRole('button', { name: 'Add stage' }).click();
  await expect(page.getByTestId('stage')).toContainText('Proposal');
  await expect(page.getByTestId('stage')).toContainText('Pending');

  // Team: a classmate by e-mail, and an e-mail nobody has.
  await page.getByRole('tab', { name: 'Team' }).click();
  await page.getByLabel('Add teammates by e-mail').fill(`${ben.email}, ${eve.email}\nghost-${Date.now()}@nowhere.example`);
  await page.getByRole('button', { name: 'Add to the team' }).click();
  await expect(page.getByText('2 added')).toBeVisible();
  await expect(page.getByTestId('unknown-members')).toContainText('@nowhere.example');
  await expect(page.getByRole('table', { name: 'Team' })).toContainText(ben.username);
  await expect(page.getByRole('button', { name: `Remove ${ben.username} from the team` })).toBeVisible();
  await checkPage(page, testInfo, 'project-team');
  // The owner removes a member, after confirming.
  await page.getByRole('button', { name: `Remove ${eve.username} from the team` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Remove', exact: true }).click();
  await expect(page.getByRole('table', { name: 'Team' })).not.toContainText(eve.username);

  // Env vars: set one; its value never comes back, only a masked hint.
  await page.getByRole('tab', { name: 'Environment variables' }).click();
  await expect(page.getByText('No environment variables yet')).toBeVisible();
  await page.getByRole('textbox', { name: /^Name/ }).fill('API_TOKEN');
  await page.getByLabel(/^Value/).fill(secret);
  await page.getByRole('button', { name: 'Save variable' }).click();
  const envTable = page.getByRole('table', { name: 'Environment variables' });
  await expect(envTable).toContainText('API_TOKEN');
  await expect(envTable).toContainText('••••');
  await expect(page.getByLabel(/^Value/)).toHaveValue('');
  await expect(page.locator('body')).not.toContainText(secret);
  await checkPage(page, testInfo, 'project-env');
  await page.reload();
  await page.getByRole('tab', { name: 'Environment variables' }).click();
  await expect(envTable).toContainText('API_TOKEN');
  expect(await page.content()).not.toContain(secret);

  // The project's own database: created, its URL behind "Show".
  await page.getByRole('tab', { name: 'Database' }).click();
  await page.getByRole('button', { name: 'Create database' }).click();
  await expect(page.getByRole('table', { name: 'Database' })).toContainText('ready');
  await expect(page.getByLabel(/^Connection URL/)).not.toHaveValue(/postgres/);
  await page.getByRole('button', { name: 'Show' }).click();
  await expect(page.getByLabel(/^Connection URL/)).toHaveValue(/^postgres(ql)?:\/\//);
  await page.getByRole('button', { name: 'Hide' }).click();
  await checkPage(page, testInfo, 'project-database');

  // Submit the stage.
  await page.getByRole('tab', { name: 'Stages' }).click();
  const submission = page.getByRole('form', { name: 'Submission of Proposal' });
  await submission.getByLabel('Note').fill('Our proposal, with mock-ups.');
  await submission.getByLabel('Link').fill('https://example.org/proposal');
  await submission.getByRole('button', { name: 'Submit stage' }).click();
  await expect(page.getByTestId('stage')).toContainText('Submitted');
  await expect(page.getByTestId('stage')).toContainText('Our proposal, with mock-ups.');
  await checkPage(page, testInfo, 'project-stages');

  // Edit: the description changes and the processed video becomes the demo.
  await expect
    .poll(
      async () =>
        ((await (await request.get(`/api/tasks/${demoTask}`, { headers: { authorization: `Bearer ${anaToken}` } })).json()) as { status: string }).status,
      { timeout: 120_000 },
    )
    .toBe('processed');
  await page.getByRole('link', { name: 'Edit project' }).click();
  await expect(page.getByLabel(/^Slug/)).toHaveValue(slug);
  await page.getByLabel('Description').fill('A shop for the campus, now with payments.');
  await page.getByLabel('Demo video').selectOption({ label: 'Shop demo' });
  await checkPage(page, testInfo, 'project-edit');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('description')).toHaveText('A shop for the campus, now with payments.');
  await expect(page.getByTestId('demo-player')).toBeVisible();

  // The owner hands the project over; afterwards she is a member without the owner's buttons.
  await page.getByRole('tab', { name: 'Team' }).click();
  await page.getByRole('button', { name: `Make ${ben.username} the owner` }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Make owner' }).click();
  await expect(page.getByRole('row', { name: new RegExp(ben.username) })).toContainText('Owner');
  await expect(page.getByRole('row', { name: new RegExp(ana.username) })).toContainText('Member');
  await expect(page.getByRole('button', { name: /^Remove / })).toHaveCount(0);

  // The teacher reviews the stage from the course page.
  const t = await pageFor(browser, teacher.username, teacher.password);
  await t.page.goto(`/courses/${courseId}`);
  await t.page.getByRole('link', { name: 'Projects', exact: true }).last().click();
  await t.page.getByRole('link', { name: 'Campus shop' }).click();
  const review = t.page.getByRole('form', { name: 'Review of Proposal' });
  await review.getByLabel('Decision').selectOption('accepted');
  await review.getByLabel('Feedback').fill('Clear scope, go ahead.');
  await checkPage(t.page, testInfo, 'project-review');
  await review.getByRole('button', { name: 'Save review' }).click();
  await expect(t.page.getByTestId('stage')).toContainText('Accepted');
  await expect(t.page.getByTestId('feedback')).toContainText('Clear scope, go ahead.');
  await t.context.close();

  // The team sees the feedback.
  await page.reload();
  await expect(page.getByTestId('feedback')).toContainText('Clear scope, go ahead.');

  // A classmate: the showcase (search, tag), the public page without feedback, and a rating.
  const c = await pageFor(browser, cora.username, cora.password);
  await c.page.goto(`/courses/${courseId}/projects`);
  await expect(c.page.getByTestId('project-card')).toHaveCount(1);
  await c.page.getByLabel('Tag', { exact: true }).selectOption('react');
  await expect(c.page.getByTestId('project-card')).toContainText('Campus shop');
  await c.page.getByLabel('Search projects by name or description').fill('no-such-words');
  await expect(c.page.getByText('No project matches this search or tag')).toBeVisible();
  await c.page.getByLabel('Search projects by name or description').fill('payments');
  await expect(c.page.getByTestId('project-card')).toContainText('Campus shop');
  await c.page.getByLabel('Sort by').selectOption('rating');
  await expect(c.page.getByTestId('project-card')).toHaveCount(1);
  await checkPage(c.page, testInfo, 'project-showcase');
  await c.page.getByRole('link', { name: 'Campus shop' }).click();
  await expect(c.page.getByTestId('stage')).toContainText('Accepted');
  await expect(c.page.getByTestId('stage')).toContainText('Our proposal, with mock-ups.');
  await expect(c.page.getByTestId('feedback')).toHaveCount(0);
  await expect(c.page.locator('body')).not.toContainText('Clear scope, go ahead.');
  await expect(c.page.getByRole('tab', { name: 'Environment variables' })).toHaveCount(0);
  // The demo plays for a classmate through its signed link (the task itself is not theirs to read).
  const player = c.page.getByTestId('demo-player');
  await expect(player).toHaveAttribute('src', new RegExp(`/api/tasks/${demoTask}/processed\\?expires=`));
  await expect.poll(() => player.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
  expect(
    (await request.get(`/api/tasks/${demoTask}`, { headers: { authorization: `Bearer ${await tokenOf(request, cora.username, cora.password)}` } })).status(),
  ).toBe(404);
  await expect(c.page.getByText('No ratings yet')).toBeVisible();
  await c.page.getByRole('button', { name: 'Rate 4 of 5' }).click();
  await expect(c.page.getByText('Your rating: 4 of 5')).toBeVisible();
  await expect(c.page.getByRole('button', { name: 'Rate 4 of 5' })).toHaveAttribute('aria-pressed', 'true');
  await expect(c.page.getByText('4 ★ from 1 rating')).toBeVisible();
  await checkPage(c.page, testInfo, 'project-classmate');
  await c.page.getByLabel('Language').selectOption('es');
  await expect(c.page.getByRole('heading', { name: 'Etapas', level: 3 })).toBeVisible();
  await expect(c.page.getByText('Tu valoración: 4 de 5')).toBeVisible();
  await expect(c.page.getByTestId('stage')).toContainText('Aceptada');
  await checkPage(c.page, testInfo, 'project-classmate-es');
  await c.page.getByLabel('Idioma').selectOption('en');
  await c.page.goto(`${projectUrl}/edit`);
  await expect(c.page.getByText('Only the project’s team can edit it.')).toBeVisible();
  await c.context.close();

  // A student of another course group: not found, with a way back.
  const d = await pageFor(browser, dave.username, dave.password);
  await d.page.goto(projectUrl);
  await expect(d.page.getByRole('alert')).toContainText('This does not exist, or is not yours.');
  await expect(d.page.getByRole('link', { name: '← Back to projects' })).toBeVisible();
  await checkPage(d.page, testInfo, 'project-not-found');
  await d.context.close();
});

test('the showcase pages by 12, sorts by rating and filters by tag', async ({ page, request }, testInfo) => {
  const teacher = await signUpTeacher(request, 'pgteacher');
  const sam = await signUp(request, 'pgsam');
  const rita = await signUp(request, 'pgrita');
  const courseId = await courseWith(request, await tokenOf(request, teacher.username, teacher.password), `PGS${Date.now() % 100000}`, 'A', [
    sam.email,
    rita.email,
  ]);
  const samToken = await tokenOf(request, sam.username, sam.password);
  const stamp = Date.now() % 100000;
  const ids: string[] = [];
  for (let i = 1; i <= 14; i++) {
    const n = String(i).padStart(2, '0');
    const res = await request.post('/api/projects', {
      headers: { authorization: `Bearer ${samToken}` },
      data: { courseId, name: `Paged ${n}`, slug: `pg${stamp}-${n}`, tags: i % 2 === 0 ? ['even'] : ['odd'] },
    });
    expect(res.status(), await res.text()).toBe(201);
    ids.push(((await res.json()) as { id: string }).id);
  }
  const rated = await request.post(`/api/projects/${ids[0]}/ratings`, {
    headers: { authorization: `Bearer ${await tokenOf(request, rita.username, rita.password)}` },
    data: { score: 5 },
  });
  expect(rated.status()).toBe(200);

  await logIn(page, rita.username, rita.password);
  await page.goto(`/courses/${courseId}/projects`);
  const cards = page.getByTestId('project-card');
  await expect(cards).toHaveCount(12);
  await expect(cards.first()).toContainText('Paged 14');
  await page.getByRole('button', { name: 'Show more projects' }).click();
  await expect(cards).toHaveCount(14);
  await expect(page.getByRole('button', { name: 'Show more projects' })).toHaveCount(0);
  await page.getByLabel('Sort by').selectOption('rating');
  await expect(cards.first()).toContainText('Paged 01');
  await expect(cards.first()).toContainText('5 ★ from 1 rating');
  await page.getByLabel('Tag', { exact: true }).selectOption('even');
  await expect(cards).toHaveCount(7);
  await expect(page.getByRole('button', { name: 'Show more projects' })).toHaveCount(0);
  await checkPage(page, testInfo, 'project-showcase-paged');
});

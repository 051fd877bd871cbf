import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { checkPage, clientAddress, logIn, pageFor, tokenOf, signUp, signUpTeacher } from './helpers.ts';

test.use({ extraHTTPHeaders: { 'x-forwarded-for': clientAddress() } });

/** A local bare repository (Aula runs with AULA_DEPLOY_ALLOW_LOCAL_REPOS=true) and a way to push a new tree to it. */
function bareRepo(files: Record<string, string>) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-e2e-repo-'));
  const bare = path.join(root, 'site.git');
  const work = path.join(root, 'work');
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', ...args], { cwd, encoding: 'utf8' }).trim();
  fs.mkdirSync(work);
  git(root, 'init', '--bare', '--quiet', '--initial-branch=main', bare);
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'remote', 'add', 'origin', bare);
  const push = (tree: Record<string, string>) => {
    for (const entry of fs.readdirSync(work)) if (entry !== '.git') fs.rmSync(path.join(work, entry), { recursive: true });
    for (const [file, text] of Object.entries(tree)) fs.writeFileSync(path.join(work, file), text);
    git(work, 'add', '-A');
    git(work, 'commit', '--quiet', '-m', 'change');
    git(work, 'push', '--quiet', 'origin', 'main');
    return git(work, 'rev-parse', 'HEAD');
  };
  const first = push(files);
  return { path: bare, first, push, remove: () => fs.rmSync(root, { recursive: true, force: true }) };
}

const site = (title: string) => ({ 'index.html': `<!doctype html><html lang="en"><head><title>${title}</title></head><body><h1>${title}</h1></body></html>` });

async function courseWith(request: APIRequestContext, teacherToken: string, emails: string[]): Promise<string> {
  const headers = { authorization: `Bearer ${teacherToken}` };
  const code = `DEP${Date.now() % 100000}`;
  expect([200, 201, 409]).toContain((await request.post('/api/subjects', { data: { code, name: 'Web apps' }, headers })).status());
  const course = await request.post('/api/courses', { data: { subjectCode: code, group: 'A', year: 2026, period: 2 }, headers });
  expect(course.status(), await course.text()).toBe(201);
  const id = ((await course.json()) as { id: string }).id;
  expect((await request.post(`/api/courses/${id}/enrolments`, { data: { emails }, headers })).status()).toBe(200);
  return id;
}

test('a student deploys a static site from the project page, follows it to live with its log, opens it, fails one, rolls back, stops and starts it, cancels a build; the teacher sees and may stop', async ({
  page,
  request,
  browser,
}, testInfo) => {
  const teacher = await signUpTeacher(request, 'dteacher');
  const ana = await signUp(request, 'dana');
  const courseId = await courseWith(request, await tokenOf(request, teacher.username, teacher.password), [ana.email]);
  const repo = bareRepo(site('Hello from the campus shop'));
  const slug = `d${Date.now() % 1000000}-site`;
  try {
    // The student creates the project with the repository through the form.
    await logIn(page, ana.username, ana.password);
    await page.goto(`/courses/${courseId}/projects/new`);
    await page.getByLabel('Name').fill('Campus site');
    await page.getByLabel(/^Slug/).fill(slug);
    await page.getByLabel(/^Repository/).fill(repo.path);
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect(page.getByRole('heading', { name: 'Campus site', level: 2 })).toBeVisible();

    // The Deploy tab: nothing yet, and it says what to do.
    await page.getByRole('tab', { name: 'Deploy' }).click();
    await expect(page.getByText('Nothing is deployed yet. Press Deploy')).toBeVisible();
    await expect(page.getByText('No deployments yet. Press Deploy above')).toBeVisible();
    await checkPage(page, testInfo, 'project-deploy-empty');

    // Deploy the default branch and follow it to live, with the log.
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    const followed = page.getByTestId('deployment');
    await expect(followed.getByTestId('deployment-state')).toHaveText('Live', { timeout: 90_000 });
    await expect(followed.getByRole('progressbar')).toHaveAttribute('aria-valuenow', '100');
    await expect(page.getByRole('log')).toContainText(`live at /apps/${slug}/ (commit ${repo.first})`);
    await expect(page.getByRole('log')).toContainText('a static site');
    await expect(page.getByTestId('app-status')).toHaveText('Running');
    const releases = page.getByRole('table', { name: 'Releases' });
    await expect(releases.getByTestId('release')).toHaveCount(1);
    await expect(releases).toContainText(repo.first.slice(0, 7));
    await checkPage(page, testInfo, 'project-deploy-live');

    // The link opens the running app.
    const link = page.getByRole('link', { name: `Open the app at /apps/${slug}/` });
    await expect(link).toHaveAttribute('href', `/apps/${slug}/`);
    const [app] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    await expect(app.getByRole('heading', { name: 'Hello from the campus shop' })).toBeVisible();
    await app.close();

    // A commit with nothing to deploy fails with its reason; the first release keeps serving.
    repo.push({ 'README.md': 'no site here\n' });
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect(page.getByTestId('deploy-reason')).toContainText('nothing to deploy: add an index.html', { timeout: 90_000 });
    await expect(followed.getByTestId('deployment-state')).toHaveText('Failed');
    expect(await (await request.get(`/apps/${slug}/`)).text()).toContain('Hello from the campus shop');
    await checkPage(page, testInfo, 'project-deploy-failed');

    // A second site goes live by its ref; the first one can be rolled back to.
    const second = repo.push(site('Second version'));
    // By keyboard: Enter in the ref field deploys.
    await page.getByLabel(/^Branch, tag or commit/).fill(second);
    await page.getByLabel(/^Branch, tag or commit/).press('Enter');
    await expect(followed.getByTestId('deployment-state')).toHaveText('Live', { timeout: 90_000 });
    await expect.poll(async () => (await request.get(`/apps/${slug}/`)).text()).toContain('Second version');
    await expect(releases.getByTestId('release')).toHaveCount(3);
    await page.getByRole('button', { name: `Roll back to commit ${repo.first.slice(0, 7)}` }).click();
    await expect(followed).toContainText(`rolling back to release`, { timeout: 90_000 });
    await expect(followed.getByTestId('deployment-state')).toHaveText('Live', { timeout: 90_000 });
    await expect.poll(async () => (await request.get(`/apps/${slug}/`)).text()).toContain('Hello from the campus shop');
    await expect(releases).toContainText('rollback to');

    // Stop and start the app.
    await page.getByRole('button', { name: 'Stop app' }).click();
    await expect(page.getByTestId('app-status')).toHaveText('Stopped');
    expect((await request.get(`/apps/${slug}/`)).status()).toBe(503);
    await page.getByRole('button', { name: 'Start app' }).click();
    await expect(page.getByTestId('app-status')).toHaveText('Running');
    await expect.poll(async () => (await request.get(`/apps/${slug}/`)).status()).toBe(200);

    // A build that never ends (a Node.js app, built in the sandbox) is cancelled while it runs; the site keeps serving.
    repo.push({ 'package.json': JSON.stringify({ scripts: { build: 'node -e "setInterval(() => {}, 1000)"', start: 'node server.js' } }), 'server.js': '' });
    await page.getByLabel(/^Branch, tag or commit/).fill('');
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await expect(followed.getByTestId('deployment-state')).toHaveText('Building', { timeout: 60_000 });
    await page.getByRole('button', { name: /^Cancel the deployment of / }).click();
    await expect(followed.getByTestId('deployment-state')).toHaveText('Cancelled');
    await expect(page.getByRole('button', { name: /^Cancel the deployment of / })).toHaveCount(0);
    expect(await (await request.get(`/apps/${slug}/`)).text()).toContain('Hello from the campus shop');

    // In Spanish.
    await page.getByLabel('Language').selectOption('es');
    await expect(page.getByRole('button', { name: 'Desplegar', exact: true })).toBeVisible();
    await expect(page.getByTestId('app-status')).toHaveText('En marcha');
    await checkPage(page, testInfo, 'project-deploy-es');
    await page.getByLabel('Idioma').selectOption('en');

    // The teacher sees the app and the releases, may stop it, and has no Deploy button.
    const t = await pageFor(browser, teacher.username, teacher.password);
    await t.page.goto(page.url());
    await t.page.getByRole('tab', { name: 'Deploy' }).click();
    await expect(t.page.getByTestId('app-status')).toHaveText('Running');
    await expect(t.page.getByRole('table', { name: 'Releases' }).getByTestId('release')).toHaveCount(5);
    await expect(t.page.getByRole('button', { name: 'Deploy', exact: true })).toHaveCount(0);
    await expect(t.page.getByRole('button', { name: /^Roll back/ })).toHaveCount(0);
    await checkPage(t.page, testInfo, 'project-deploy-teacher');
    await t.page.getByRole('button', { name: 'Stop app' }).click();
    await expect(t.page.getByTestId('app-status')).toHaveText('Stopped');
    await expect(t.page.getByRole('button', { name: 'Start app' })).toHaveCount(0);
    await t.context.close();
  } finally {
    repo.remove();
  }
});

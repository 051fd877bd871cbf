import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { waitUntil } from '../../../test/wait.ts';
import { startProjectsWorld, type ProjectsWorld } from '../projects/test-helpers.ts';

/** A bare git repository made in the test, and a way to push new commits to it. */
export interface FixtureRepo {
  /** The bare repository's absolute path (a project's repoUrl in tests). */
  path: string;
  /** Replaces the tree with these files (text or bytes), commits and pushes; returns the commit SHA. */
  push(files: Record<string, string | Buffer>, message?: string): string;
}

/** Creates a bare repository under `root` with a first commit of `files`. */
export function fixtureRepo(root: string, name: string, files: Record<string, string | Buffer>): FixtureRepo {
  const bare = path.join(root, `${name}.git`);
  const work = path.join(root, `${name}-work`);
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@localhost', ...args], { cwd, encoding: 'utf8' }).trim();
  fs.mkdirSync(work, { recursive: true });
  git(root, 'init', '--bare', '--quiet', '--initial-branch=main', bare);
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'remote', 'add', 'origin', bare);
  const push = (tree: Record<string, string | Buffer>, message = 'change') => {
    for (const entry of fs.readdirSync(work)) if (entry !== '.git') fs.rmSync(path.join(work, entry), { recursive: true });
    for (const [file, text] of Object.entries(tree)) {
      fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      fs.writeFileSync(path.join(work, file), text);
    }
    git(work, 'add', '-A');
    git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
    git(work, 'push', '--quiet', 'origin', 'main');
    return git(work, 'rev-parse', 'HEAD');
  };
  push(files, 'first');
  return { path: bare, push };
}

/** A plain node:http app that answers with what it sees (env, base path) on PORT. */
export const nodeApp = (version: string, extra = ''): Record<string, string> => ({
  'package.json': JSON.stringify({ name: 'fixture', version: '1.0.0', scripts: { start: 'node server.js' } }),
  'server.js': `const http = require('node:http');
${extra}
http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  if (req.url.includes('/psql')) {
    // Connects with DATABASE_URL (to another database when ?db= names one) through psql, over PostgreSQL's unix socket.
    const url = new URL(process.env.DATABASE_URL);
    const other = new URL(req.url, 'http://app').searchParams.get('db');
    if (other) url.pathname = '/' + other;
    let db;
    try { db = require('node:child_process').execFileSync('psql', [url.toString(), '-tAc', 'select current_database()'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim(); } catch { db = 'refused'; }
    return res.end(JSON.stringify({ db }));
  }
  res.end(JSON.stringify({ version: ${JSON.stringify(version)}, url: req.url, basePath: process.env.BASE_PATH, greeting: process.env.GREETING, databaseUrl: process.env.DATABASE_URL ?? null, uid: process.getuid() }));
}).listen(process.env.PORT, () => console.log('listening on', process.env.PORT, 'greeting', process.env.GREETING));
`,
});

/** The projects world with a deploy worker, a scratch directory and helpers to deploy and wait. */
export interface DeployWorld extends ProjectsWorld {
  scratch: string;
  /** Creates a project of alice's (bob on the team) on a repository. */
  project(slug: string, repoUrl: string): Promise<string>;
  /** Starts a deployment and waits until it finished; returns it. */
  deploy(projectId: string, body?: { ref?: string }): Promise<Record<string, unknown>>;
  /** Waits until a deployment finished; returns it. */
  finished(deploymentId: string): Promise<Record<string, unknown>>;
  /** GETs a path of an app through Aula. */
  get(pathname: string): Promise<{ status: number; text: string }>;
}

const FINISHED = ['live', 'failed', 'cancelled', 'retired'];

/** Starts an app with a deploy worker (and the settings given). */
export async function startDeployWorld(env: Record<string, string> = {}): Promise<DeployWorld> {
  const world = await startProjectsWorld({
    env: { AULA_DEPLOY_START_TIMEOUT_SECONDS: '5', AULA_DEPLOY_RESTART_BACKOFF_MS: '20', AULA_APPS_DOMAIN: 'apps.test', ...env },
    queues: ['deploy.build'],
  });
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-deploy-fixtures-'));
  const finished = async (id: string) => {
    let last: Record<string, unknown> = {};
    await waitUntil(async () => {
      last = (await world.api('GET', `/api/deployments/${id}`, world.alice.token)).body;
      return FINISHED.includes(last.state as string);
    }, 60_000);
    return last;
  };
  return {
    ...world,
    scratch,
    async project(slug, repoUrl) {
      const created = await world.api('POST', '/api/projects', world.alice.token, { name: slug, slug, courseId: world.courseA, repoUrl });
      if (created.status !== 201) throw new Error(`project not created: ${JSON.stringify(created.body)}`);
      await world.api('POST', `/api/projects/${created.body.id}/members`, world.alice.token, { userIds: [world.bob.id] });
      return created.body.id as string;
    },
    async deploy(projectId, body = {}) {
      const started = await world.api('POST', `/api/projects/${projectId}/deployments`, world.alice.token, body);
      if (started.status !== 201) throw new Error(`deploy refused: ${JSON.stringify(started.body)}`);
      return finished(started.body.id as string);
    },
    finished,
    async get(pathname) {
      const response = await fetch(`${world.app.baseUrl}${pathname}`);
      return { status: response.status, text: await response.text() };
    },
    async stop() {
      await world.stop();
      fs.rmSync(scratch, { recursive: true, force: true });
    },
  };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { checkTarget, ImportError } from '../../media/remote-fetch.ts';
import { DeployError, runHost } from './exec.ts';

/** Where and how to fetch a project's repository. */
export interface FetchOptions {
  repoUrl: string;
  /** A branch, a tag or a full commit SHA; the default branch when absent. */
  ref: string | null;
  dest: string;
  allowLocal: boolean;
  timeoutMs: number;
  signal: AbortSignal;
  onLine(line: string): void;
}

const REF = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;

/** The git URL to fetch: https with a public host (media's import rules), or a local bare repository in tests. */
async function sourceUrl(repoUrl: string, allowLocal: boolean): Promise<{ url: string; protocol: 'https' | 'file' }> {
  if (repoUrl === '') throw new DeployError('the project has no repository URL; set one on the project first');
  if (path.isAbsolute(repoUrl)) {
    if (!allowLocal) throw new DeployError('local repositories are not allowed on this server');
    return { url: `file://${repoUrl}`, protocol: 'file' };
  }
  const url = URL.canParse(repoUrl) ? new URL(repoUrl) : undefined;
  if (url?.protocol !== 'https:') throw new DeployError('the repository URL must be https');
  await checkTarget(url, { allowHosts: [] }).catch((error: unknown) => {
    throw new DeployError(error instanceof ImportError ? error.message : 'the repository host could not be checked');
  });
  return { url: url.toString(), protocol: 'https' };
}

/** Shallow-clones the ref into `dest` (symlinks checked out as plain files), removes .git, and returns the commit SHA. */
export async function fetchSource(o: FetchOptions): Promise<string> {
  if (o.ref !== null && !REF.test(o.ref)) throw new DeployError('the ref is not a valid branch, tag or commit name');
  const { url, protocol } = await sourceUrl(o.repoUrl, o.allowLocal);
  await fs.mkdir(o.dest, { recursive: true });
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: o.dest, GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
  // No redirects: the checked host is the one fetched from (a redirect could point at a private address).
  const config = [
    '-c',
    'protocol.allow=never',
    '-c',
    `protocol.${protocol}.allow=always`,
    '-c',
    'http.followRedirects=false',
    '-c',
    'core.symlinks=false',
    '-c',
    'advice.detachedHead=false',
  ];
  const run = (args: string[]) =>
    runHost('git', [...config, ...args], { cwd: o.dest, env, timeoutMs: o.timeoutMs, signal: o.signal, onLine: o.onLine, what: 'the clone' });
  await run(['init', '--quiet']);
  await run(['remote', 'add', 'origin', url]);
  await run(['fetch', '--depth', '1', '--no-tags', 'origin', o.ref ?? 'HEAD']);
  await run(['checkout', '--quiet', 'FETCH_HEAD']);
  const sha = (await run(['rev-parse', 'HEAD'])).trim();
  await fs.rm(path.join(o.dest, '.git'), { recursive: true, force: true });
  return sha;
}

import fs from 'node:fs';
import path from 'node:path';
import { NPM_CLI, type ReleaseMeta } from '../release.ts';
import type { PodmanRunner } from '../sandbox/podman.ts';
import { describeExit, type Limits, type Runner } from '../sandbox/runner.ts';
import { detect, sizeOf, startOf } from './detect.ts';
import { DeployError, runHost } from './exec.ts';

/** What one build gets. */
export interface BuildOptions {
  runner: Runner;
  /** Builds and runs Dockerfile projects; undefined where containers are off or podman does not work. */
  containers: PodmanRunner | undefined;
  /** The image tag a Dockerfile project is built into. */
  imageTag: string;
  /** The checkout; it becomes the app's files. */
  appDir: string;
  /** A writable scratch directory outside the checkout (npm's cache). */
  scratchDir: string;
  name: string;
  uid: number;
  env: Record<string, string>;
  limits: Limits;
  timeoutMs: number;
  maxBytes: number;
  signal: AbortSignal;
  onLine(stream: 'build' | 'stdout' | 'stderr', line: string): void;
}

/** Gives the checkout to the app's uid (the sandbox writes there as that uid). */
function chownTree(dir: string, uid: number): void {
  fs.lchownSync(dir, uid, uid);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) fs.lchownSync(path.join(entry.parentPath, entry.name), uid, uid);
}

/** Removes every symbolic link under a static site's root: Aula serves those files itself, and must never follow one out of the release. */
function dropSymlinks(root: string, onLine: BuildOptions['onLine']): void {
  if (fs.lstatSync(root).isSymbolicLink())
    throw new DeployError(`the static site's directory ${path.basename(root)} is a symbolic link; build real files into it`);
  for (const entry of fs.readdirSync(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isSymbolicLink()) continue;
    fs.unlinkSync(path.join(entry.parentPath, entry.name));
    onLine('build', `removed the symbolic link ${path.relative(root, path.join(entry.parentPath, entry.name))} (a static site is served as plain files)`);
  }
}

function checkSize(dir: string, maxBytes: number, when: string): void {
  if (sizeOf(dir) > maxBytes) throw new DeployError(`the release is larger than ${Math.round(maxBytes / 1024 / 1024)} MB ${when}`);
}

/** Builds the Dockerfile into the release's image, with no network for its RUN steps, within the limits and the wall time. */
async function buildImage(o: BuildOptions, containers: PodmanRunner): Promise<ReleaseMeta> {
  o.onLine('build', `$ podman build --network=none --tag ${o.imageTag} .`);
  const aborted = new AbortController();
  const timer = setTimeout(() => aborted.abort(), o.timeoutMs);
  try {
    const code = await containers.build({
      name: o.name,
      contextDir: o.appDir,
      tag: o.imageTag,
      args: o.env,
      limits: o.limits,
      signal: AbortSignal.any([o.signal, aborted.signal]),
      onLine: (line) => o.onLine('build', line),
    });
    if (o.signal.aborted) throw new DeployError('cancelled');
    if (aborted.signal.aborted) throw new DeployError(`the build took longer than ${Math.round(o.timeoutMs / 1000)} s and was stopped`);
    if (code !== 0) throw new DeployError(`the build failed: podman build exited with code ${code}; see the build log`);
  } finally {
    clearTimeout(timer);
  }
  return { kind: 'container', image: o.imageTag };
}

/**
 * Detects the kind; for Node.js installs dependencies on the host with install
 * scripts disabled, then runs `npm run build` in the sandbox without network.
 * Returns how the release runs.
 */
export async function build(o: BuildOptions): Promise<ReleaseMeta> {
  checkSize(o.appDir, o.maxBytes, 'after the clone');
  const detected = detect(o.appDir, o.containers !== undefined);
  if (detected.kind === 'static') {
    dropSymlinks(o.appDir, o.onLine);
    return { kind: 'static', root: detected.root };
  }
  if (detected.kind === 'container') return buildImage(o, o.containers!);
  const started = Date.now();
  if (detected.install !== 'none') {
    // The project's .npmrc could point npm at another registry or make it copy local directories in: npm runs with Aula's settings only.
    fs.rmSync(path.join(o.appDir, '.npmrc'), { force: true });
    const args = detected.install === 'ci' ? ['ci'] : ['install'];
    o.onLine('build', `$ npm ${args[0]} --ignore-scripts`);
    await runHost(process.execPath, [NPM_CLI, ...args, '--ignore-scripts', '--install-links=false', '--no-audit', '--no-fund', '--no-update-notifier'], {
      cwd: o.appDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: o.scratchDir, npm_config_cache: path.join(o.scratchDir, 'npm-cache') },
      timeoutMs: o.timeoutMs,
      signal: o.signal,
      onLine: (line) => o.onLine('build', line),
      what: `npm ${args[0]}`,
    });
    checkSize(o.appDir, o.maxBytes, 'after installing dependencies');
  }
  chownTree(o.appDir, o.uid);
  if (detected.hasBuild) {
    o.onLine('build', '$ npm run build   (in the sandbox, no network)');
    const remaining = o.timeoutMs - (Date.now() - started);
    const proc = await o.runner.start({
      name: o.name,
      uid: o.uid,
      workDir: o.appDir,
      command: [process.execPath, NPM_CLI, 'run', 'build'],
      env: { ...o.env, HOME: '/tmp', PATH: '/usr/local/bin:/usr/bin:/bin' },
      limits: o.limits,
      signal: o.signal,
      onLine: (stream, line) => o.onLine(stream, line),
    });
    let timedOut = false;
    const timer = setTimeout(
      () => {
        timedOut = true;
        void proc.kill();
      },
      Math.max(remaining, 1),
    );
    const exit = await proc.exited.finally(() => clearTimeout(timer));
    if (o.signal.aborted) throw new DeployError('cancelled');
    if (timedOut) throw new DeployError(`the build took longer than ${Math.round(o.timeoutMs / 1000)} s and was stopped`);
    if (exit.code !== 0) throw new DeployError(`the build failed: npm run build ${describeExit(exit, o.limits)}; see the build log`);
    checkSize(o.appDir, o.maxBytes, 'after the build');
  }
  const start = startOf(o.appDir);
  if ('command' in start) return { kind: 'node', command: start.command };
  dropSymlinks(path.join(o.appDir, start.staticRoot), o.onLine);
  return { kind: 'static', root: start.staticRoot };
}

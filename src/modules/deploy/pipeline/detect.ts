import fs from 'node:fs';
import path from 'node:path';
import { DeployError } from './exec.ts';

/** What a checkout is, decided from its files alone, in this order. */
export type Detected = { kind: 'node'; hasBuild: boolean; install: 'ci' | 'install' | 'none' } | { kind: 'static'; root: string } | { kind: 'container' };

interface PackageJson {
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** Reads package.json, with a clear error when it is not JSON. */
export function readPackageJson(dir: string): PackageJson {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
  } catch {
    throw new DeployError('package.json is not valid JSON');
  }
}

/**
 * package.json → a Node.js app; else index.html at the root → a static site;
 * else a Dockerfile → a container image (when this server runs containers);
 * else an error saying what to add.
 */
export function detect(dir: string, hasContainerRuntime: boolean): Detected {
  const has = (file: string) => fs.existsSync(path.join(dir, file));
  if (has('package.json')) {
    const pkg = readPackageJson(dir);
    const deps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).length > 0;
    return { kind: 'node', hasBuild: Boolean(pkg.scripts?.build), install: !deps ? 'none' : has('package-lock.json') ? 'ci' : 'install' };
  }
  if (has('index.html')) return { kind: 'static', root: '.' };
  if (has('Dockerfile')) {
    if (hasContainerRuntime) return { kind: 'container' };
    throw new DeployError(
      'this project needs a container runtime (it has only a Dockerfile) and this server has no working podman; add a package.json or an index.html, or ask the operator to install podman',
    );
  }
  throw new DeployError('nothing to deploy: add an index.html at the root (a static site) or a package.json (a Node.js app with a start script)');
}

/** After the build: how a Node.js release starts, or the static directory it produced when it has no server. */
export function startOf(dir: string): { command: 'start' | string } | { staticRoot: string } {
  const pkg = readPackageJson(dir);
  if (pkg.scripts?.start) return { command: 'start' };
  for (const file of ['server.js', 'index.js', 'app.js', 'main.js']) if (fs.existsSync(path.join(dir, file))) return { command: file };
  for (const out of ['dist', 'build', 'out', 'public']) if (fs.existsSync(path.join(dir, out, 'index.html'))) return { staticRoot: out };
  throw new DeployError('the Node.js app has no way to start: add a "start" script to package.json (or a server.js), or build an index.html into dist/');
}

/** Bytes under a directory (files and directories, symlinks not followed). */
export function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const stat = fs.lstatSync(path.join(entry.parentPath, entry.name), { throwIfNoEntry: false });
    total += stat?.size ?? 0;
  }
  return total;
}

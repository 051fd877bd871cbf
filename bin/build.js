#!/usr/bin/env node
// Compiles src/ into dist/ (tsc with tsconfig.build.json) and copies the files that are
// not TypeScript (SQL migrations, assets) beside the JavaScript that finds them.
// `node bin/build.js` builds; bin/aula.js calls ensureBuilt() to rebuild only when stale.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'src');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json', 'package.json'].map((f) => path.join(root, f));
const isSource = (file) => file.endsWith('.ts');
const isTestOnly = (file) => file.endsWith('.test.ts') || path.basename(file) === 'test-helpers.ts';

function filesUnder(dir) {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** True when dist/ is missing or older than a file of src/ or the build configuration. */
export function isStale() {
  let built;
  try {
    built = fs.statSync(stamp).mtimeMs;
  } catch {
    return true;
  }
  return [...CONFIGS, ...filesUnder(src).filter((f) => !isTestOnly(f))].some((file) => fs.statSync(file).mtimeMs > built);
}

/** Builds into a fresh folder, then puts it in place of dist/ (a running Aula keeps its loaded files). */
export function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    throw new Error('TypeScript is not installed (npm ci without --omit=dev), so dist/ cannot be built');
  }
  const out = `${dist}.tmp-${process.pid}`;
  fs.rmSync(out, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', out], { cwd: root, stdio: 'inherit' });
    for (const file of filesUnder(src).filter((f) => !isSource(f))) {
      const target = path.join(out, path.relative(src, file));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(file, target);
    }
    fs.writeFileSync(path.join(out, '.build-stamp'), `${new Date().toISOString()}\n`);
    fs.rmSync(dist, { recursive: true, force: true });
    fs.renameSync(out, dist);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * Runs fn holding dist.lock, so that several aula processes started at once on stale
 * sources build once instead of each running tsc and replacing dist/ under the others.
 * A lock whose holder died is taken over.
 */
function withBuildLock(fn) {
  const lock = `${dist}.lock`;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      let holder = '';
      try {
        holder = fs.readFileSync(lock, 'utf8');
      } catch {
        continue; // released between the two calls
      }
      // An empty file is a lock being written this instant.
      if (holder !== '' && !isAlive(Number(holder))) fs.rmSync(lock, { force: true });
      else Atomics.wait(pause, 0, 0, 200);
    }
  }
  try {
    fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Builds dist/ when it is missing or stale (once, when several processes ask at the same time). */
export function ensureBuilt() {
  if (!isStale()) return;
  withBuildLock(() => {
    if (!isStale()) return; // another process built it while this one waited
    process.stderr.write('aula: building dist/ from src/ (missing or older than the sources)\n');
    build();
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    build();
  } catch (error) {
    process.stderr.write(`build: ${error.message}\n`);
    // On an install without devDependencies a shipped dist/ is used as it is.
    process.exit(process.argv.includes('--if-possible') && fs.existsSync(path.join(dist, 'cli.js')) ? 0 : 1);
  }
}

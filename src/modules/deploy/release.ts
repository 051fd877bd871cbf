import { existsSync, realpathSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** How a release runs: a command in the sandbox, or files Aula serves. */
export type ReleaseMeta = { kind: 'node'; command: 'start' | string } | { kind: 'static'; root: string } | { kind: 'container'; image: string };

/** Where deploy keeps releases and sockets under Aula's data directory. */
export class ReleasePaths {
  constructor(private readonly dataDir: string) {}

  /** The deploy root; nothing under it is visible to a sandbox except the directories bound into it. */
  get root(): string {
    return path.join(this.dataDir, 'deploy');
  }

  /** One release's directory: `app/` (the checkout, the sandbox's /app) and `release.json`. */
  release(deploymentId: string): string {
    return path.join(this.root, 'releases', deploymentId);
  }

  /** The checkout of a release. */
  app(deploymentId: string): string {
    return path.join(this.release(deploymentId), 'app');
  }

  /** The directory holding a release's unix socket (the sandbox's /run/aula). */
  socketDir(deploymentId: string): string {
    return path.join(this.root, 'run', deploymentId);
  }

  /** The release's unix socket, as Aula sees it. */
  socket(deploymentId: string): string {
    return path.join(this.socketDir(deploymentId), 'app.sock');
  }

  /** Reads a release's meta, written by the pipeline (root-owned, outside what the app can write). */
  async meta(deploymentId: string): Promise<ReleaseMeta> {
    return JSON.parse(await fs.readFile(path.join(this.release(deploymentId), 'release.json'), 'utf8')) as ReleaseMeta;
  }

  /** Writes a release's meta. */
  async writeMeta(deploymentId: string, meta: ReleaseMeta): Promise<void> {
    await fs.writeFile(path.join(this.release(deploymentId), 'release.json'), JSON.stringify(meta));
  }

  /** Removes a release's files and socket directory. */
  async remove(deploymentId: string): Promise<void> {
    await fs.rm(this.release(deploymentId), { recursive: true, force: true });
    await fs.rm(this.socketDir(deploymentId), { recursive: true, force: true });
  }
}

/** The sandbox socket path the app is given as PORT. */
export const SANDBOX_SOCKET = '/run/aula/app.sock';
/**
 * npm's CLI script, run by this process's node binary (also inside the sandbox): the npm
 * installed beside node, else the `npm` on PATH (a node from the npm package `node`,
 * as CI's Node 24, ships without npm).
 */
export const NPM_CLI = findNpmCli();

function findNpmCli(): string {
  const beside = path.join(path.dirname(path.dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  if (existsSync(beside)) return beside;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      const cli = realpathSync(path.join(dir, 'npm'));
      if (cli.endsWith('npm-cli.js')) return cli;
    } catch {
      // not in this directory
    }
  }
  return beside; // missing: the install step then fails with npm's path in its error
}

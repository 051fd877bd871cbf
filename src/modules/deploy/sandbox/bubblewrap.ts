import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { checkCgroups, createCgroup } from './cgroup.ts';
import { NPM_CLI } from '../release.ts';
import { type ExitInfo, pipeLines, type Runner, type SandboxProcess, type SandboxSpec, sandboxProcess } from './runner.ts';

// Joins every cgroup of the sandbox, then becomes the sandbox: nothing it starts can run outside the limits.
const JOIN_THEN_EXEC = 'while [ "$1" != "--" ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';

/** The system directories seen read-only inside: /usr and the merged-/usr links, or the real directories. */
function systemBinds(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib64']) {
    const stat = fs.lstatSync(dir, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) args.push('--symlink', fs.readlinkSync(dir), dir);
    else if (stat?.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  return args;
}

/**
 * Node itself and npm, when installed outside /usr (nvm, /opt, the npm package `node` under /tmp):
 * bound after the sandbox's own /tmp, which would hide them otherwise.
 */
function runtimeBinds(): string[] {
  const dirs = new Set([path.dirname(path.dirname(process.execPath)), path.dirname(path.dirname(path.dirname(NPM_CLI)))]);
  return [...dirs].filter((dir) => !dir.startsWith('/usr/')).flatMap((dir) => [...parentsOf(dir), '--ro-bind', dir, dir]);
}

/** bwrap makes missing parents of a mount point 0700 (root's); these make them traversable for the app's uid. */
function parentsOf(target: string): string[] {
  const parts = target.split('/').filter(Boolean).slice(0, -1);
  return parts.flatMap((_, i) => ['--perms', '0755', '--dir', `/${parts.slice(0, i + 1).join('/')}`]);
}

/**
 * The bwrap arguments for a spec: new pid, network, ipc, uts and cgroup namespaces;
 * bwrap runs as root (so it can bind directories the app's uid could not reach)
 * and keeps only what setpriv needs to become the app's uid with no capabilities
 * and no new privileges, before the app's command runs.
 */
function bwrapArgs(spec: SandboxSpec): string[] {
  const env = Object.entries(spec.env).flatMap(([k, v]) => ['--setenv', k, v]);
  const setpriv = ['setpriv', `--reuid=${spec.uid}`, `--regid=${spec.uid}`, '--clear-groups', '--no-new-privs', '--inh-caps=-all', '--bounding-set=-all', '--'];
  return [
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--new-session',
    '--cap-drop',
    'ALL',
    '--cap-add',
    'CAP_SETUID',
    '--cap-add',
    'CAP_SETGID',
    '--cap-add',
    'CAP_SETPCAP',
    '--clearenv',
    ...env,
    ...systemBinds(),
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(spec.limits.tmpMb * 1024 * 1024),
    '--tmpfs',
    '/tmp',
    ...runtimeBinds(),
    '--bind',
    spec.workDir,
    '/app',
    ...(spec.socketDir ? ['--perms', '0755', '--dir', '/run', '--bind', spec.socketDir, '/run/aula'] : []),
    ...(spec.readOnly ?? []).flatMap((b) => [...parentsOf(b.inside), '--ro-bind', b.host, b.inside]),
    // The app's uid enters /app (its own 0700 directory) after setpriv; bwrap's root, without DAC override, could not.
    '--',
    ...setpriv,
    '/bin/sh',
    '-c',
    'cd /app && exec "$@"',
    'sh',
    ...spec.command,
  ];
}

/** Runs code under bubblewrap as its own uid, in cgroup (v2 or v1) limits, with no network. Needs root, bwrap and setpriv. */
export class BubblewrapRunner implements Runner {
  readonly name = 'bubblewrap';

  async check(): Promise<void> {
    await promisify(execFile)('bwrap', ['--version']).catch(() => {
      throw new Error('bubblewrap (bwrap) is not installed; apt-get install bubblewrap');
    });
    if (process.getuid?.() !== 0) throw new Error('the bubblewrap runner needs root, to give each app its own uid and cgroups');
    await checkCgroups();
  }

  async start(spec: SandboxSpec): Promise<SandboxProcess> {
    const group = await createCgroup(spec.name, spec.limits);
    const child = spawn('/bin/sh', ['-c', JOIN_THEN_EXEC, 'sh', ...group.procsFiles(), '--', 'bwrap', ...bwrapArgs(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    pipeLines(child.stdout, (line) => spec.onLine('stdout', line));
    pipeLines(child.stderr, (line) => spec.onLine('stderr', line));
    const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
      child.on('error', () => resolve({ code: 127, signal: null }));
    });
    const killAll = async () => {
      // Killing bwrap takes its pid namespace down; the cgroup sweep catches anything that raced it.
      for (let round = 0; round < 50; round++) {
        const pids = await group.pids();
        if (child.exitCode === null && child.signalCode === null) pids.push(child.pid!);
        if (pids.length === 0) return;
        for (const pid of pids) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const exited: Promise<ExitInfo> = ended.then(async (end) => {
      await killAll();
      const events = await group.events();
      await group.remove();
      return { ...end, ...events };
    });
    return sandboxProcess(child.pid!, exited, killAll, () => group.usage(), spec.signal);
  }
}

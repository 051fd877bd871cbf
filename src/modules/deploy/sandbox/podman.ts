import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { checkCgroups, createCgroup } from './cgroup.ts';
import { groupEmptied, killGroup, type SandboxCgroup } from './cgroup-files.ts';
import { type ExitInfo, type Limits, pipeLines, type Runner, type SandboxProcess, type SandboxSpec, sandboxProcess } from './runner.ts';

const run = promisify(execFile);
const HOST_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** The image tag of a release built from its Dockerfile. */
export const imageOf = (deploymentId: string): string => `localhost/aula-app-${deploymentId}`;

/**
 * Limits every container runs with: the cgroup limits are Aula's own groups
 * (`--cgroup-parent`), so memory kills and refused forks are read where the limit
 * is; open files and processes are also capped by rlimit (podman's defaults
 * would raise them, which a host without CAP_SYS_RESOURCE refuses).
 */
function limitArgs(group: SandboxCgroup, limits: Limits): string[] {
  return ['--cgroup-parent', group.parentPath, '--ulimit', 'nofile=1024:1024', '--ulimit', `nproc=${limits.pids}:${limits.pids}`];
}

/** Removes a container (and anything still running in it); quiet when it is gone already. */
async function removeContainer(name: string): Promise<void> {
  await run('podman', ['rm', '--force', '--time', '0', name], { env: { PATH: HOST_PATH } }).catch(() => undefined);
}

/**
 * Runs a release's image with podman (rootful, runc): its own uid, no network
 * (reached through the socket directory bound at /run/aula), a read-only root
 * with a private size-capped /tmp, no capabilities, no new privileges, in Aula's
 * cgroup limits. Builds images from Dockerfiles with no network either.
 */
export class PodmanRunner implements Runner {
  readonly name = 'podman';
  /** Every container and image this runner makes carries it, so its own leftovers (and only those) can be found. */
  private readonly label: string;

  /** `owner` names the Aula installation (its data directory): another one on the same host keeps its containers. */
  constructor(owner: string) {
    this.label = `aula.deploy=${createHash('sha256').update(owner).digest('hex').slice(0, 16)}`;
  }

  /** Whether podman is on PATH (the check says whether it works). */
  static async available(): Promise<boolean> {
    return run('podman', ['--version'], { env: { PATH: HOST_PATH } }).then(
      () => true,
      () => false,
    );
  }

  async check(): Promise<void> {
    await run('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { env: { PATH: HOST_PATH } }).catch((error: Error) => {
      throw new Error(`podman does not work here: ${error.message.split('\n')[0]}`);
    });
    await checkCgroups();
    // Containers of an Aula that died are not anyone's any more: the supervisor starts the live ones again.
    const { stdout } = await run('podman', ['ps', '--all', '--filter', `label=${this.label}`, '--format', '{{.Names}}'], { env: { PATH: HOST_PATH } });
    for (const name of stdout.split('\n').filter(Boolean)) await removeContainer(name);
  }

  /**
   * Builds `tag` from the Dockerfile in `contextDir`, within the limits and with
   * no network for its RUN steps (the base image is pulled by podman itself).
   * Build-scope env vars are given as build arguments (their values through the
   * environment, never on a command line). Resolves with the exit code.
   */
  async build(o: {
    name: string;
    contextDir: string;
    tag: string;
    args: Record<string, string>;
    limits: Limits;
    signal: AbortSignal;
    onLine(line: string): void;
  }): Promise<number | null> {
    const group = await createCgroup(o.name, o.limits, true);
    const child = spawn(
      'podman',
      [
        'build',
        '--network=none',
        '--label',
        this.label,
        ...limitArgs(group, o.limits),
        ...Object.keys(o.args).flatMap((k) => ['--build-arg', k]),
        '--tag',
        o.tag,
        '--file',
        'Dockerfile',
        '.',
      ],
      { cwd: o.contextDir, env: { PATH: HOST_PATH, ...o.args }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    pipeLines(child.stdout, o.onLine);
    pipeLines(child.stderr, o.onLine);
    const killAll = () => {
      child.kill('SIGKILL');
      void killGroup(group);
    };
    o.signal.addEventListener('abort', killAll, { once: true });
    if (o.signal.aborted) killAll();
    try {
      return await new Promise<number | null>((resolve) => {
        child.on('exit', (code) => resolve(code));
        child.on('error', () => resolve(127));
      });
    } finally {
      o.signal.removeEventListener('abort', killAll);
      await groupEmptied(group);
      await group.remove();
    }
  }

  /** Removes a release's image; quiet when it is gone already. */
  async removeImage(tag: string): Promise<void> {
    await run('podman', ['rmi', '--force', tag], { env: { PATH: HOST_PATH } }).catch(() => undefined);
  }

  /** Gives a release's image a second tag (a rollback's own, so pruning the old release keeps it). */
  async tagImage(from: string, to: string): Promise<void> {
    await run('podman', ['tag', from, to], { env: { PATH: HOST_PATH } });
  }

  async start(spec: SandboxSpec): Promise<SandboxProcess> {
    if (!spec.image) throw new Error('the podman runner runs images; this spec has none');
    const group = await createCgroup(spec.name, spec.limits, true);
    const container = `aula-${spec.name}`;
    const args = [
      'run',
      '--name',
      container,
      '--label',
      this.label,
      '--pull=never',
      '--network=none',
      '--read-only',
      '--tmpfs',
      `/tmp:rw,size=${spec.limits.tmpMb}m,mode=1777`,
      '--cap-drop=ALL',
      '--security-opt=no-new-privileges',
      '--user',
      `${spec.uid}:${spec.uid}`,
      ...limitArgs(group, spec.limits),
      // Values come from this process's environment: env vars never appear on a command line.
      ...Object.keys(spec.env).flatMap((k) => ['--env', k]),
      ...(spec.socketDir ? ['--volume', `${spec.socketDir}:/run/aula`] : []),
      ...(spec.readOnly ?? []).flatMap((b) => ['--volume', `${b.host}:${b.inside}:ro`]),
      spec.image,
      ...spec.command,
    ];
    const child = spawn('podman', args, { env: { PATH: HOST_PATH, ...spec.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    pipeLines(child.stdout, (line) => spec.onLine('stdout', line));
    pipeLines(child.stderr, (line) => spec.onLine('stderr', line));
    const ended = new Promise<{ code: number | null }>((resolve) => {
      child.on('exit', (code) => resolve({ code }));
      child.on('error', () => resolve({ code: 127 }));
    });
    let killing = false;
    const killAll = async () => {
      killing = true;
      await removeContainer(container);
      await killGroup(group);
    };
    const exited: Promise<ExitInfo> = ended.then(async (end) => {
      const events = await group.events();
      // cgroup v1 counts a memory kill in the killed process's own group (podman's, below ours, gone by now). A container
      // that Aula did not kill, ended by SIGKILL, in a group whose memory limit was reached, was killed for memory.
      events.oomKilled ||= end.code === 137 && !killing && (await group.memoryLimitReached());
      await killAll();
      await groupEmptied(group);
      await group.remove();
      // A container killed from outside ends its `podman run` with 137 (128 + SIGKILL).
      return { code: end.code === 137 ? null : end.code, signal: end.code === 137 ? 'SIGKILL' : null, ...events };
    });
    return sandboxProcess(child.pid!, exited, killAll, () => group.usage(), spec.signal);
  }
}

import fs from 'node:fs/promises';
import path from 'node:path';
import { pidsUnder, readKey, readNumber, removeGroup, type SandboxCgroup } from './cgroup-files.ts';
import type { Limits, Usage } from './runner.ts';

const ROOT = '/sys/fs/cgroup';
const CONTROLLERS = ['memory', 'cpu', 'pids'] as const;
const ENABLE = CONTROLLERS.map((c) => `+${c}`).join(' ');
const CPU_PERIOD_US = 100_000;

/** Whether the host's /sys/fs/cgroup is the unified (v2) hierarchy with the memory, cpu and pids controllers. */
export async function unifiedWithControllers(): Promise<boolean> {
  const controllers = await fs.readFile(path.join(ROOT, 'cgroup.controllers'), 'utf8').catch(() => undefined);
  return controllers !== undefined && CONTROLLERS.every((c) => controllers.split(/\s+/).includes(c));
}

/**
 * One sandbox's group on a cgroup v2 host: `/sys/fs/cgroup/aula/<name>`, with
 * memory.max (and no swap), cpu.max and pids.max. Its processes live in it
 * directly, or (`nested`, for a container runtime) in groups it makes below.
 */
export class CgroupV2 implements SandboxCgroup {
  private constructor(readonly name: string) {}

  get parentPath(): string {
    return `/aula/${this.name}`;
  }

  private get dir(): string {
    return path.join(ROOT, 'aula', this.name);
  }

  /** Throws unless `aula/` can be made and the memory, cpu and pids controllers handed down to its groups. */
  static async check(): Promise<void> {
    try {
      await fs.mkdir(path.join(ROOT, 'aula'), { recursive: true });
      await fs.writeFile(path.join(ROOT, 'cgroup.subtree_control'), ENABLE);
      await fs.writeFile(path.join(ROOT, 'aula', 'cgroup.subtree_control'), ENABLE);
    } catch (error) {
      throw new Error(
        `cannot delegate the cgroup v2 memory, cpu and pids controllers to ${ROOT}/aula (${(error as Error).message}); Aula must run as root, outside a container that hides them`,
      );
    }
  }

  /** Creates the group with the limits set; `nested` hands the controllers down to groups below it (a container runtime's). */
  static async create(name: string, limits: Limits, nested = false): Promise<CgroupV2> {
    const group = new CgroupV2(name);
    await fs.mkdir(group.dir, { recursive: true });
    const write = (file: string, value: string) => fs.writeFile(path.join(group.dir, file), value);
    await write('memory.max', String(limits.memoryMb * 1024 * 1024));
    // No swap, so a hog cannot page its way past the limit (the file is absent without swap accounting).
    await write('memory.swap.max', '0').catch(() => undefined);
    await write('cpu.max', `${Math.round(limits.cpus * CPU_PERIOD_US)} ${CPU_PERIOD_US}`);
    await write('pids.max', String(limits.pids));
    if (nested) await write('cgroup.subtree_control', ENABLE);
    return group;
  }

  procsFiles(): string[] {
    return [path.join(this.dir, 'cgroup.procs')];
  }

  async usage(): Promise<Usage> {
    const [memoryBytes, cpuUs] = await Promise.all([
      readNumber(path.join(this.dir, 'memory.current')).catch(() => 0),
      readKey(path.join(this.dir, 'cpu.stat'), 'usage_usec'),
    ]);
    return { memoryBytes, cpuSeconds: cpuUs / 1e6 };
  }

  async events(): Promise<{ oomKilled: boolean; pidsLimitHit: boolean }> {
    // memory.events counts the group's descendants too: a kill in a container runtime's group below shows here.
    return {
      oomKilled: (await readKey(path.join(this.dir, 'memory.events'), 'oom_kill')) > 0,
      pidsLimitHit: (await readKey(path.join(this.dir, 'pids.events'), 'max')) > 0,
    };
  }

  async memoryLimitReached(): Promise<boolean> {
    return (await readKey(path.join(this.dir, 'memory.events'), 'max')) > 0;
  }

  async pids(): Promise<number[]> {
    return pidsUnder(this.dir);
  }

  async remove(): Promise<void> {
    await removeGroup(this.dir);
  }
}

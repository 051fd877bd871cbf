import fs from 'node:fs/promises';
import path from 'node:path';
import { pidsUnder, readKey, readNumber, removeGroup, type SandboxCgroup } from './cgroup-files.ts';
import type { Limits, Usage } from './runner.ts';

const ROOT = '/sys/fs/cgroup';
const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids'] as const;
const CPU_PERIOD_US = 100_000;

/** One sandbox's cgroups (v1: one directory per controller under `aula/<name>`). */
export class CgroupV1 implements SandboxCgroup {
  private constructor(readonly name: string) {}

  get parentPath(): string {
    return `/aula/${this.name}`;
  }

  private dir(controller: (typeof CONTROLLERS)[number]): string {
    return path.join(ROOT, controller, 'aula', this.name);
  }

  /** Throws unless the v1 memory, cpu, cpuacct and pids hierarchies are writable. */
  static async check(): Promise<void> {
    for (const c of CONTROLLERS) {
      await fs.mkdir(path.join(ROOT, c, 'aula'), { recursive: true }).catch(() => {
        throw new Error(`the cgroup v1 ${c} controller is not writable at ${ROOT}/${c} (Aula must run as root on a host with cgroup v1)`);
      });
    }
  }

  /** Creates the groups with the limits set. */
  static async create(name: string, limits: Limits): Promise<CgroupV1> {
    const group = new CgroupV1(name);
    for (const c of CONTROLLERS) await fs.mkdir(group.dir(c), { recursive: true });
    const bytes = String(limits.memoryMb * 1024 * 1024);
    await fs.writeFile(path.join(group.dir('memory'), 'memory.limit_in_bytes'), bytes);
    // Swap counts too, where the kernel accounts it, so a hog cannot page its way past the limit.
    await fs.writeFile(path.join(group.dir('memory'), 'memory.memsw.limit_in_bytes'), bytes).catch(() => undefined);
    await fs.writeFile(path.join(group.dir('cpu'), 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    await fs.writeFile(path.join(group.dir('cpu'), 'cpu.cfs_quota_us'), String(Math.round(limits.cpus * CPU_PERIOD_US)));
    await fs.writeFile(path.join(group.dir('pids'), 'pids.max'), String(limits.pids));
    return group;
  }

  /** The files a process writes its pid to, to join every group before it execs the sandbox. */
  procsFiles(): string[] {
    return CONTROLLERS.map((c) => path.join(this.dir(c), 'cgroup.procs'));
  }

  /** Memory in use and CPU time spent. */
  async usage(): Promise<Usage> {
    const [memoryBytes, cpuNs] = await Promise.all([
      readNumber(path.join(this.dir('memory'), 'memory.usage_in_bytes')).catch(() => 0),
      readNumber(path.join(this.dir('cpuacct'), 'cpuacct.usage')).catch(() => 0),
    ]);
    return { memoryBytes, cpuSeconds: cpuNs / 1e9 };
  }

  /** Whether the kernel killed a process for memory, and whether a fork was refused for the pids limit. */
  async events(): Promise<{ oomKilled: boolean; pidsLimitHit: boolean }> {
    return {
      oomKilled: (await readKey(path.join(this.dir('memory'), 'memory.oom_control'), 'oom_kill')) > 0,
      pidsLimitHit: (await readKey(path.join(this.dir('pids'), 'pids.events'), 'max')) > 0,
    };
  }

  /** Whether the group's memory use (its own and its children's) ever reached its limit: the high-water mark is the limit. */
  async memoryLimitReached(): Promise<boolean> {
    const read = (file: string) => readNumber(path.join(this.dir('memory'), file)).catch(() => 0);
    for (const prefix of ['memory', 'memory.memsw']) {
      const [peak, limit] = await Promise.all([read(`${prefix}.max_usage_in_bytes`), read(`${prefix}.limit_in_bytes`)]);
      if (limit > 0 && peak >= limit) return true;
    }
    return false;
  }

  async pids(): Promise<number[]> {
    return pidsUnder(this.dir('pids'));
  }

  async remove(): Promise<void> {
    for (const c of CONTROLLERS) await removeGroup(this.dir(c));
  }
}

import fs from 'node:fs/promises';
import path from 'node:path';
import type { Usage } from './runner.ts';

/** One sandbox's control groups, whichever cgroup version the host runs. */
export interface SandboxCgroup {
  /** The group as a container runtime's `--cgroup-parent` names it (`/aula/<name>`). */
  readonly parentPath: string;
  /** The files a process writes its pid to, to join every group before it execs the sandbox. */
  procsFiles(): string[];
  /** Memory in use and CPU time spent. */
  usage(): Promise<Usage>;
  /** Whether the kernel killed a process for memory, and whether a fork was refused for the pids limit. */
  events(): Promise<{ oomKilled: boolean; pidsLimitHit: boolean }>;
  /** Whether the group's memory use ever reached its limit. */
  memoryLimitReached(): Promise<boolean>;
  /** Pids still in the group, or in groups below it (a container runtime makes its own there). */
  pids(): Promise<number[]>;
  /** Removes the group and the groups below it, the deepest first (they must be empty). */
  remove(): Promise<void>;
}

/** A number file of cgroupfs (0 when it reads as something else). */
export const readNumber = async (file: string): Promise<number> => Number.parseInt((await fs.readFile(file, 'utf8')).trim(), 10) || 0;

/** The value of `key` in a flat-keyed cgroupfs file (`memory.events`, `cpu.stat`…), 0 when absent. */
export const readKey = async (file: string, key: string): Promise<number> => {
  const text = await fs.readFile(file, 'utf8').catch(() => '');
  const line = text.split('\n').find((l) => l.startsWith(`${key} `));
  return line ? Number.parseInt(line.split(' ')[1]!, 10) : 0;
};

/** A group and every group below it, parents before children. */
export async function subgroups(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true, recursive: true }).catch(() => undefined);
  if (!entries) return [];
  const below = entries.filter((e) => e.isDirectory()).map((e) => path.join(e.parentPath, e.name));
  return [dir, ...below.sort((a, b) => a.split('/').length - b.split('/').length)];
}

/** The pids in `cgroup.procs` of a group and the groups below it. */
export async function pidsUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const group of await subgroups(dir)) {
    const text = await fs.readFile(path.join(group, 'cgroup.procs'), 'utf8').catch(() => '');
    pids.push(...text.split('\n').filter(Boolean).map(Number));
  }
  return pids;
}

/** SIGKILLs every process left in a group (and below it); one that is gone already is skipped. */
export async function killGroup(group: SandboxCgroup): Promise<void> {
  for (const pid of await group.pids()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Waits until a group holds no process (a second at most), so it can be removed. */
export async function groupEmptied(group: SandboxCgroup): Promise<void> {
  for (let round = 0; round < 50 && (await group.pids()).length > 0; round++) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Removes a group and the groups below it, the deepest first. */
export async function removeGroup(dir: string): Promise<void> {
  for (const group of (await subgroups(dir)).reverse()) await fs.rmdir(group).catch(() => undefined);
}

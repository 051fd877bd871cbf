import type { SandboxCgroup } from './cgroup-files.ts';
import { CgroupV1 } from './cgroup-v1.ts';
import { CgroupV2, unifiedWithControllers } from './cgroup-v2.ts';
import type { Limits } from './runner.ts';

let version: Promise<1 | 2> | undefined;

/** The cgroup version sandboxes use here: 2 where /sys/fs/cgroup is unified with memory, cpu and pids; 1 otherwise (hybrid or legacy hosts). */
export function cgroupVersion(): Promise<1 | 2> {
  version ??= unifiedWithControllers().then((unified) => (unified ? 2 : 1));
  return version;
}

/** Throws with a message for the operator unless this host's cgroups can hold sandboxes. */
export async function checkCgroups(): Promise<void> {
  await ((await cgroupVersion()) === 2 ? CgroupV2.check() : CgroupV1.check());
}

/** Creates a sandbox's group with its limits; `nested` when a container runtime makes its own groups below it. */
export async function createCgroup(name: string, limits: Limits, nested = false): Promise<SandboxCgroup> {
  return (await cgroupVersion()) === 2 ? CgroupV2.create(name, limits, nested) : CgroupV1.create(name, limits);
}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runInVm, vmTools } from '../../../../test/linux-vm.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const tools = vmTools();

// This machine's own cgroups are v1 (memory, cpu and pids are bound there), so cgroup v2 is tested in a small
// virtual machine booted under qemu, whose /sys/fs/cgroup is v2: the real bubblewrap runner, built from src/.
describe.skipIf(typeof tools === 'string')(`the sandbox on a cgroup v2 host (in a VM)${typeof tools === 'string' ? `: ${tools}` : ''}`, () => {
  it('limits memory, processes and CPU through cgroup v2, reports memory kills and refused forks, and leaves no group behind', {
    timeout: 300_000,
  }, async () => {
    if (typeof tools === 'string') return;
    const output = await runInVm(tools, path.join(HERE, 'fixtures/cgroup-v2-harness.ts'), path.resolve(HERE, '..'), 240_000);
    const line = output.split('\n').find((l) => l.startsWith('AULA-VM-RESULT '));
    expect(line, `the VM printed:\n${output.slice(-4000)}`).toBeDefined();
    const r = JSON.parse(line!.slice('AULA-VM-RESULT '.length));
    expect(r.version).toBe(2);
    expect(r.who).toEqual(['200001', 'NoNewPrivs:\t1', 'ls: /etc: No such file or directory']);
    expect(r.hog).toMatchObject({ oomKilled: true });
    expect(r.bomb).toMatchObject({ pidsLimitHit: true, oomKilled: false });
    expect(r.limits).toEqual({ memoryMax: String(160 * 1024 * 1024), swapMax: '0', cpuMax: '50000 100000', pidsMax: '64' });
    expect(r.usage.memoryBytes).toBeGreaterThanOrEqual(32 << 20);
    expect(r.usage.cpuSeconds).toBeGreaterThan(0);
    expect(r.idleKilled).toMatchObject({ oomKilled: false, pidsLimitHit: false });
    expect(r.groupsLeft).toEqual([]);
  });
});

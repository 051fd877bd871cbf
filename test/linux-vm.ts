import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BINARIES = ['bwrap', 'setpriv'];

/** What booting a test VM needs from the host, or why it cannot be booted here. */
export interface VmTools {
  kernel: string;
  qemu: string;
  busybox: string;
}

const onPath = (program: string) =>
  (process.env.PATH ?? '')
    .split(path.delimiter)
    .map((dir) => path.join(dir, program))
    .find((file) => fs.existsSync(file));

/**
 * The kernel (AULA_TEST_KERNEL, or the one `.ci/run` unpacks into .tmp/vm-kernel), qemu and a static
 * busybox; a string saying what is missing otherwise.
 */
export function vmTools(): VmTools | string {
  const unpacked = path.join(ROOT, '.tmp/vm-kernel/boot');
  const kernel =
    process.env.AULA_TEST_KERNEL ??
    (fs.existsSync(unpacked) ? fs.readdirSync(unpacked).find((f) => f.startsWith('vmlinuz-')) : undefined)?.replace(/^/, `${unpacked}/`);
  const qemu = onPath('qemu-system-x86_64');
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((file) => fs.existsSync(file));
  if (!kernel) return 'no kernel image (set AULA_TEST_KERNEL, or let .ci/run unpack one into .tmp/vm-kernel)';
  if (!qemu) return 'no qemu-system-x86_64 (apt-get install qemu-system-x86)';
  if (!busybox) return 'no busybox (apt-get install busybox-static)';
  return { kernel, qemu, busybox };
}

/** Copies a host binary to the same path under `root`, with the shared libraries `ldd` names for it. */
function copyWithLibraries(root: string, binary: string, as = binary): void {
  fs.mkdirSync(path.join(root, path.dirname(as)), { recursive: true });
  fs.copyFileSync(binary, path.join(root, as));
  let listing = '';
  try {
    listing = execFileSync('ldd', [binary], { encoding: 'utf8' });
  } catch {
    return; // a static binary
  }
  for (const library of listing.match(/\/\S+/g) ?? []) {
    fs.mkdirSync(path.join(root, path.dirname(library)), { recursive: true });
    fs.copyFileSync(fs.realpathSync(library), path.join(root, library));
  }
}

/** Transpiles a TypeScript entry and every module it imports by a relative `.ts` path into `outDir`, keeping their layout. */
function transpileTree(entry: string, base: string, outDir: string): string {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    const target = path.join(outDir, path.relative(base, file)).replace(/\.ts$/, '.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'));
    for (const [, spec] of source.matchAll(/from\s+['"](\.{1,2}\/[^'"]+\.ts)['"]/g)) visit(path.resolve(path.dirname(file), spec!));
  };
  visit(entry);
  fs.writeFileSync(path.join(outDir, 'package.json'), '{"type":"module"}');
  return path.join(outDir, path.relative(base, entry)).replace(/\.ts$/, '.js');
}

/**
 * Boots a small Linux under qemu (software emulation, one CPU) whose root is a tmpfs
 * holding busybox, this process's node, bwrap and setpriv, with cgroup v2 mounted at
 * /sys/fs/cgroup, runs the TypeScript `entry` (and what it imports from `base`) with
 * node as root, powers off, and resolves with everything the machine printed.
 */
export async function runInVm(tools: VmTools, entry: string, base: string, timeoutMs: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aula-vm-'));
  try {
    const root = path.join(dir, 'root');
    for (const sub of ['bin', 'dev', 'proc', 'sys', 'tmp']) fs.mkdirSync(path.join(root, sub), { recursive: true });
    fs.copyFileSync(tools.busybox, path.join(root, 'bin/busybox'));
    copyWithLibraries(root, fs.realpathSync(process.execPath), '/usr/bin/node');
    for (const name of BINARIES) copyWithLibraries(root, onPath(name) ?? `/usr/bin/${name}`, `/usr/bin/${name}`);
    const script = transpileTree(entry, base, path.join(root, 'aula'));
    // bwrap cannot pivot_root away from the initramfs itself: the first init copies the root into a tmpfs and switches to it.
    fs.writeFileSync(
      path.join(root, 'init'),
      [
        '#!/bin/busybox sh',
        '/bin/busybox mkdir -p /newroot',
        '/bin/busybox mount -t tmpfs -o size=768m tmpfs /newroot',
        '/bin/busybox cp -a /bin /usr /lib /lib64 /aula /init2 /newroot/',
        '/bin/busybox mkdir -p /newroot/dev /newroot/proc /newroot/sys /newroot/tmp',
        'exec /bin/busybox switch_root /newroot /init2',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    fs.writeFileSync(
      path.join(root, 'init2'),
      [
        '#!/bin/busybox sh',
        // busybox's own setpriv would shadow util-linux's, which the sandbox relies on.
        '/bin/busybox --install -s /bin && rm -f /bin/setpriv',
        'mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp',
        'mount -t cgroup2 none /sys/fs/cgroup',
        `PATH=/usr/bin:/bin /usr/bin/node /${path.relative(root, script)} 2>&1`,
        'echo AULA-VM-EXIT $?',
        'poweroff -f',
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    const initrd = path.join(dir, 'initrd.cpio');
    execFileSync('sh', ['-c', `cd "${root}" && find . | cpio -o -H newc --quiet > "${initrd}"`]);
    const args = ['-M', 'q35', '-cpu', 'max', '-m', '2048', '-smp', '1', '-nographic', '-no-reboot', '-kernel', tools.kernel, '-initrd', initrd];
    const vm = spawn(tools.qemu, [...args, '-append', 'console=ttyS0 quiet panic=-1 rdinit=/init'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    vm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    vm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => vm.kill('SIGKILL'), timeoutMs);
    try {
      await new Promise<void>((resolve) => vm.on('exit', () => resolve()));
    } finally {
      clearTimeout(timer);
      if (vm.exitCode === null && vm.signalCode === null) vm.kill('SIGKILL');
    }
    return output;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

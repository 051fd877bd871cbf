import { spawn, type ChildProcess } from 'node:child_process';

/** An `aula` process started by the supervisor. */
export interface AulaChild {
  child: ChildProcess;
  pid: number;
  /** Resolves once the process has exited (never rejects). */
  exited: Promise<void>;
  hasExited(): boolean;
}

/**
 * Starts `aula <args>` the same way this process was started (the node binary, its
 * flags such as a `--import tsx` loader, and the script in process.argv[1]), in its own process group
 * so that a terminal's Ctrl-C reaches only the supervisor, which stops children in order.
 */
export function spawnAulaChild(args: string[], env: Record<string, string>): AulaChild {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  let done = false;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => {
      done = true;
      resolve();
    });
    child.on('error', () => {
      done = true;
      resolve();
    });
  });
  return { child, pid: child.pid ?? -1, exited, hasExited: () => done };
}

/** One GET with a deadline; true on a 200 answer. */
export async function answers(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Polls `check` every 100 ms until true; false when the child exits or the deadline passes. */
export async function waitFor(child: AulaChild, check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!child.hasExited() && Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(child: AulaChild, graceMs: number): Promise<void> {
  if (child.hasExited()) return;
  child.child.kill('SIGTERM');
  const timer = setTimeout(() => child.child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

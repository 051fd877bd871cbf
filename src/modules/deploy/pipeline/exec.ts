import { spawn } from 'node:child_process';
import readline from 'node:readline';

/** A step of the pipeline failed for a reason the student should read. */
export class DeployError extends Error {
  override name = 'DeployError';
}

/** How to run one host command of the pipeline. */
export interface HostCommand {
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
  /** Each output line (stdout and stderr). */
  onLine(line: string): void;
  /** Names the step in error messages, e.g. "the clone". */
  what: string;
}

/** Runs a trusted host program (git, npm without scripts) with a time limit; throws DeployError on failure; returns stdout. */
export async function runHost(file: string, args: string[], c: HostCommand): Promise<string> {
  const child = spawn(file, args, { cwd: c.cwd, env: c.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => {
    if (stdout.length < 65_536) stdout += chunk.toString();
  });
  readline.createInterface({ input: child.stdout }).on('line', c.onLine);
  readline.createInterface({ input: child.stderr }).on('line', c.onLine);
  let timedOut = false;
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* already gone */
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, c.timeoutMs);
  c.signal.addEventListener('abort', killGroup, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    if (c.signal.aborted) throw new DeployError('cancelled');
    if (timedOut) throw new DeployError(`${c.what} took longer than ${Math.round(c.timeoutMs / 1000)} s and was stopped`);
    if (code !== 0) throw new DeployError(`${c.what} failed (exit code ${code}); see the build log`);
    return stdout;
  } catch (error) {
    if (error instanceof DeployError) throw error;
    throw new DeployError(`${c.what} could not run: ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
    c.signal.removeEventListener('abort', killGroup);
  }
}

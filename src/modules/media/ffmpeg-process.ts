import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';

/** The file in a task's temporary folder that records the pid (= process group) of its ffmpeg. */
export const FFMPEG_PID_FILE = 'ffmpeg.pid';

const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((candidate) => {
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
});

/**
 * Spawns a program in a process group of its own (so it and anything it starts
 * can be killed together) and, where util-linux `setpriv` exists, with a
 * parent-death signal: if this worker dies, even by SIGKILL, the kernel kills it.
 */
export function spawnGuarded(program: string, args: string[]): ChildProcessByStdio<null, Readable, Readable> {
  const [command, argv] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', program, ...args]] : [program, args];
  return spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
}

/** Kills a process group started by spawnGuarded; a group that is already gone is fine. */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Kills the ffmpeg recorded in a dead worker's temporary folder if it still runs
 * (an orphan). The pid counts only while its command line names that folder,
 * so a reused pid is never killed. Returns whether an orphan was killed.
 */
export async function killOrphanedFfmpeg(taskDir: string): Promise<boolean> {
  const recorded = await fsp.readFile(path.join(taskDir, FFMPEG_PID_FILE), 'utf8').catch(() => '');
  const pid = Number(recorded.trim());
  if (!Number.isInteger(pid) || pid <= 1) return false;
  const cmdline = await fsp.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(taskDir)) return false;
  killGroup(pid);
  return true;
}

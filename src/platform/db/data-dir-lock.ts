import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../ids.ts';

/** Thrown when another live Aula process holds the data directory. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** A held data-directory lock; release() removes it. */
export interface DataDirLock {
  /** Whether the previous holder died without releasing it. */
  readonly recoveredStale: boolean;
  release(): void;
}

/**
 * Takes the data directory for this process, so two Aula processes never run
 * an embedded PostgreSQL on the same files. A lock left by a dead process is taken over.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'aula.pid');
  let recoveredStale = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return {
        recoveredStale,
        release: () => {
          try {
            if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new DataDirInUseError(
        `the data directory ${dataDir} is in use by another Aula process (pid ${holder}); ` +
          'stop it, or set AULA_DATA_DIR to another directory, or DATABASE_URL to share one PostgreSQL',
      );
    }
    fs.rmSync(file, { force: true });
    recoveredStale = true;
  }
  throw new DataDirInUseError(`could not take the lock on ${dataDir}`);
}

/** Returns the pid of a PostgreSQL server still running on this cluster directory, if any. */
export function runningPostmaster(clusterDir: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && isAlive(pid) && servesDirectory(pid, clusterDir) ? pid : undefined;
  } catch {
    return undefined;
  }
}

// After an unclean reboot the old pid may belong to an unrelated process: only trust a postgres started on this directory.
function servesDirectory(pid: number, clusterDir: string): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(clusterDir);
  } catch {
    return !fs.existsSync('/proc/self'); // no /proc to ask (not Linux): trust the pid file
  }
}

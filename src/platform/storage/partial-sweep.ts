import type { Logger } from '../logger.ts';
import type { Storage } from './storage.ts';

/**
 * Removes partial files untouched for longer than `maxAgeMs` (a killed process's
 * unfinished uploads) now, then every `maxAgeMs`; returns the function that stops it.
 */
export async function startPartialSweep(storage: Storage, maxAgeMs: number, log: Logger): Promise<() => void> {
  const sweep = async () => {
    try {
      const removed = await storage.removeStalePartials(new Date(Date.now() - maxAgeMs));
      if (removed > 0) log.info({ removed }, 'removed partial files left by unfinished writes');
    } catch (error) {
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not sweep partial files');
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), maxAgeMs);
  timer.unref();
  return () => clearInterval(timer);
}

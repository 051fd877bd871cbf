/** Failures within this window count towards the crash-loop limit. */
export const CRASH_WINDOW_MS = 5 * 60_000;
/** This many failures within the window put a slot in `crash-loop`: no more restarts until SIGHUP. */
export const CRASH_LIMIT = 5;

/** A slot's recent failures and what to do after the next one. */
export class RestartPolicy {
  private failures: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Records a failure; returns the delay before the restart, or 'crash-loop'. */
  fail(): number | 'crash-loop' {
    const now = this.now();
    this.failures = [...this.failures.filter((at) => now - at < CRASH_WINDOW_MS), now];
    const recent = this.failures.length;
    if (recent >= CRASH_LIMIT) return 'crash-loop';
    // 0 ms after the first failure, then 500 ms, 1 s, 2 s: exponential, capped by the crash-loop limit.
    return recent === 1 ? 0 : 250 * 2 ** (recent - 1);
  }

  /** Forgets the failures (an operator asked for a restart). */
  reset(): void {
    this.failures = [];
  }
}

import type { LogStream } from './db.ts';
import type { DeployRepository } from './repository.ts';

const FLUSH_MS = 200;
const TRIM_EVERY = 500;

/** Replaces every secret value in a line (longest first, so one that contains another is masked whole). */
function maskSecrets(line: string, secrets: readonly string[]): string {
  let masked = line;
  for (const secret of secrets) masked = masked.replaceAll(secret, '********');
  return masked;
}

/** Stores one deployment's log lines in small batches, secret values masked before they are stored, oldest dropped past the cap. */
export class LogSink {
  private buffer: Array<{ stream: LogStream; line: string }> = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private sinceTrim = 0;
  private readonly secrets: string[];

  constructor(
    private readonly repo: DeployRepository,
    readonly deploymentId: string,
    secrets: string[],
    private readonly keep: number,
  ) {
    this.secrets = [...new Set(secrets.filter((s) => s.length >= 3))].sort((a, b) => b.length - a.length);
  }

  /** Queues one line. */
  write(stream: LogStream, line: string): void {
    this.buffer.push({ stream, line: maskSecrets(line, this.secrets) });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  /** Stores what is queued; never throws (a log write must not fail a deploy). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(async () => {
      if (batch.length === 0) return;
      await this.repo.appendLogs(this.deploymentId, batch).catch(() => undefined);
      this.sinceTrim += batch.length;
      if (this.sinceTrim >= TRIM_EVERY) {
        this.sinceTrim = 0;
        await this.repo.trimLogs(this.deploymentId, this.keep).catch(() => undefined);
      }
    });
    return this.writing;
  }
}

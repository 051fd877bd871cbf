import { sql, type Transaction } from 'kysely';
import type { Logger } from '../../platform/logger.ts';
import type { QueueBackend } from '../../platform/queue/backend.ts';
import type { ProjectChanged } from './events.ts';
import type { ProjectsDb, ProjectsKysely } from './db.ts';

/** The events projects emits on the `projects.events` stream. */
export type ProjectEventName = ProjectChanged['eventName'];

/** Appends an event to the outbox inside the transaction of the change it reports (ids only). */
export async function recordEvent(tx: Transaction<ProjectsDb>, eventName: ProjectEventName, projectId: string): Promise<void> {
  await tx
    .insertInto('projects.outbox')
    .values({ type: eventName, payload: JSON.stringify({ projectId }) })
    .execute();
}

/** How long one publish may take before the flush gives up and leaves the rest for the next one. */
const PUBLISH_TIMEOUT_MS = 10_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`publish took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Publishes committed outbox events in order and marks each published. Delivery
 * is at least once: no database transaction is held while publishing, so two
 * processes flushing at the same moment may both publish an event (consumers
 * tell by `seq`), and a process that dies between publish and mark publishes
 * that event again at its next flush.
 */
export class OutboxRelay {
  private running: Promise<number> | undefined;
  private again = false;

  constructor(
    private readonly db: ProjectsKysely,
    private readonly queues: QueueBackend,
    private readonly log: Logger,
  ) {}

  /** Publishes what is pending; a failure is logged and the events wait for the next flush. */
  async flush(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let total = 0;
      try {
        do {
          this.again = false;
          for (let batch = await this.publishBatch(); batch > 0; batch = await this.publishBatch()) total += batch;
        } while (this.again);
      } catch (error) {
        this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'projects outbox: publishing failed; events kept for the next flush');
      } finally {
        this.running = undefined;
      }
      return total;
    })();
    return this.running;
  }

  /** Resolves when no flush is running (for shutdown). */
  async idle(): Promise<void> {
    await this.running;
  }

  private async publishBatch(): Promise<number> {
    const rows = await this.db
      .selectFrom('projects.outbox')
      .select(['seq', 'type', 'payload'])
      .where('published_at', 'is', null)
      .orderBy('seq')
      .limit(100)
      .execute();
    for (const row of rows) {
      await withTimeout(
        this.queues.publish('projects.events', { eventName: row.type, projectId: row.payload.projectId!, seq: String(row.seq) }),
        PUBLISH_TIMEOUT_MS,
      );
      await this.db.updateTable('projects.outbox').set({ published_at: sql<Date>`now()` }).where('seq', '=', row.seq).execute();
    }
    return rows.length;
  }
}

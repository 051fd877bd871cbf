import type { Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Logger } from '../../platform/logger.ts';
import type { QueueBackend } from '../../platform/queue/backend.ts';
import type { EventStreams } from '../../platform/queue/definitions.ts';
import type { ProjectsDb, ProjectsKysely } from './db.ts';

/** The events projects emits on the `projects.events` stream. */
export type ProjectEventName = EventStreams['projects.events']['eventName'];

/** Appends an event to the outbox inside the transaction of the change it reports (ids only). */
export async function recordEvent(tx: Transaction<ProjectsDb>, eventName: ProjectEventName, projectId: string): Promise<void> {
  await tx.insertInto('projects.outbox').values({ type: eventName, payload: JSON.stringify({ projectId }) }).execute();
}

/** Publishes committed outbox events in order and marks them published; safe to run from many processes. */
export class OutboxRelay {
  private running: Promise<number> | undefined;
  private again = false;

  constructor(private readonly db: ProjectsKysely, private readonly queues: QueueBackend, private readonly log: Logger) {}

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

  private async publishBatch(): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      // SKIP LOCKED: two processes flushing at once publish disjoint rows.
      const rows = await tx
        .selectFrom('projects.outbox')
        .select(['seq', 'type', 'payload'])
        .where('published_at', 'is', null)
        .orderBy('seq')
        .limit(100)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of rows) {
        await this.queues.publish('projects.events', {
          eventName: row.type,
          projectId: row.payload.projectId!,
          seq: String(row.seq),
        });
      }
      if (rows.length > 0) {
        await tx.updateTable('projects.outbox').set({ published_at: sql<Date>`now()` }).where('seq', 'in', rows.map((r) => r.seq)).execute();
      }
      return rows.length;
    });
  }
}

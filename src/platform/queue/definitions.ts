/** Attempts, backoff, timeout, concurrency and retention of one queue. */
export interface QueueSpec {
  attempts: number;
  backoff: { type: 'exponential' | 'fixed'; delayMs: number };
  /** A job running longer than this is aborted and counts as a failed attempt. */
  timeoutMs: number;
  /** Jobs one worker process runs at once on this queue. */
  concurrency: number;
  /** Finished jobs kept for inspection: at most this many, for at most this long. */
  keepCompleted: { count: number; ageSeconds: number };
  keepFailed: { count: number; ageSeconds: number };
}

/**
 * The payload of every queue, by queue name. The platform declares its own two;
 * each module adds its queues by augmenting this interface in its `queues.ts`
 * (`declare module '…/platform/queue/definitions.ts'`), so the platform names no module.
 */
export interface QueuePayloads {
  /** Diagnostics: a job that does nothing; used by the queue benchmark and self-checks. */
  'platform.noop': { seq: number };
  /** Platform housekeeping (repeatable): prune process records long stopped or gone, and old Idempotency-Key responses. */
  'platform.housekeeping': Record<string, never>;
}

/** Set on every job's data when it is enqueued for a request: the worker logs it with the job. */
export interface JobMeta {
  requestId?: string;
}

/** Name of a queue Aula knows. */
export type QueueName = keyof QueuePayloads;

/**
 * Events one module publishes for others, by stream (BullMQ queue events, kept up to
 * a bounded length). Empty here: the emitting module adds its stream by augmenting
 * this interface, and consumers import the event type from that module.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by module augmentation (media, projects)
export interface EventStreams {}

/** Name of an event stream. */
export type EventStreamName = keyof EventStreams;

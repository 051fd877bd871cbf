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

/** The payload of every queue, by queue name. Add a queue here and in QUEUES. */
export interface QueuePayloads {
  /** Diagnostics: a job that does nothing; used by the queue benchmark and self-checks. */
  'platform.noop': { seq: number };
  /** Platform housekeeping (repeatable): prune process records long stopped or gone. */
  'platform.housekeeping': Record<string, never>;
  /** Identity housekeeping (repeatable): prune expired rate-limit counters and refresh tokens. */
  'identity.housekeeping': Record<string, never>;
  /** Identity: bring the user_directory read model up to date with the outbox. */
  'identity.project': { reason: string };
  /** Media: process one video task (probe, render, thumbnail). */
  'media.process': { taskId: string };
  /** Media: give every unfinished task a live job and carry finished jobs' outcomes to their tasks (at start and on a schedule). */
  'media.reconcile': { reason: 'start' | 'schedule' };
  /** Stats: `grade.recorded` events — one from academic, or a batch written directly by an external system. */
  'stats.grade-recorded': { grades: GradeRecorded[] };
  /** Deploy: fetch, build, start and health-check one deployment, then switch the app's route to it. */
  'deploy.build': { deploymentId: string };
}

/** Set on every job's data when it is enqueued for a request: the worker logs it with the job. */
export interface JobMeta {
  requestId?: string;
}

/** A grade given or changed: the event academic emits and stats consumes. */
export interface GradeRecorded {
  studentId: string;
  courseId: string;
  /** Empty string when the grade belongs to no assignment (direct writes). */
  assignmentId: string;
  /** With no assignment: what tells this grade apart from the student's other grades in the course (absent or '' otherwise). */
  eventId?: string;
  grade: number;
  onTime: boolean | null;
  /** ISO 8601; a replay older than what stats holds changes nothing. */
  gradedAt: string;
}

/** Name of a queue Aula knows. */
export type QueueName = keyof QueuePayloads;

/** The one table of queue settings; a queue missing here is a compile error. */
export const QUEUES: { readonly [N in QueueName]: QueueSpec } = {
  'platform.noop': {
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 500 },
    timeoutMs: 30_000,
    concurrency: 8,
    keepCompleted: { count: 1000, ageSeconds: 3600 },
    keepFailed: { count: 1000, ageSeconds: 7 * 24 * 3600 },
  },
  'platform.housekeeping': {
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 5000 },
    timeoutMs: 5 * 60_000,
    concurrency: 1,
    keepCompleted: { count: 10, ageSeconds: 24 * 3600 },
    keepFailed: { count: 100, ageSeconds: 7 * 24 * 3600 },
  },
  'identity.housekeeping': {
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 5000 },
    timeoutMs: 5 * 60_000,
    concurrency: 1,
    keepCompleted: { count: 10, ageSeconds: 24 * 3600 },
    keepFailed: { count: 100, ageSeconds: 7 * 24 * 3600 },
  },
  'identity.project': {
    attempts: 10,
    backoff: { type: 'exponential', delayMs: 200 },
    timeoutMs: 60_000,
    concurrency: 1,
    keepCompleted: { count: 100, ageSeconds: 600 },
    keepFailed: { count: 1000, ageSeconds: 7 * 24 * 3600 },
  },
  'stats.grade-recorded': {
    attempts: 10,
    backoff: { type: 'exponential', delayMs: 200 },
    timeoutMs: 30_000,
    concurrency: 8,
    keepCompleted: { count: 1000, ageSeconds: 600 },
    keepFailed: { count: 10_000, ageSeconds: 7 * 24 * 3600 },
  },
  'media.process': {
    attempts: 3,
    backoff: { type: 'exponential', delayMs: 2000 },
    timeoutMs: 15 * 60_000,
    concurrency: 1, // overridden by AULA_MEDIA_CONCURRENCY
    keepCompleted: { count: 1000, ageSeconds: 24 * 3600 },
    keepFailed: { count: 1000, ageSeconds: 7 * 24 * 3600 },
  },
  'media.reconcile': {
    attempts: 1,
    backoff: { type: 'fixed', delayMs: 1000 },
    timeoutMs: 5 * 60_000,
    concurrency: 1,
    keepCompleted: { count: 10, ageSeconds: 3600 },
    keepFailed: { count: 100, ageSeconds: 7 * 24 * 3600 },
  },
  'deploy.build': {
    // A failed deploy states its reason and is not retried by itself; the stage limits are the deploy settings'.
    attempts: 1,
    backoff: { type: 'fixed', delayMs: 1000 },
    timeoutMs: 3 * 3600_000,
    concurrency: 1, // overridden by AULA_DEPLOY_CONCURRENCY
    keepCompleted: { count: 1000, ageSeconds: 24 * 3600 },
    keepFailed: { count: 1000, ageSeconds: 7 * 24 * 3600 },
  },
};

/** Every queue name, for `aula worker` and the metrics. */
export const QUEUE_NAMES = Object.keys(QUEUES) as QueueName[];

/** Narrows a string to a known queue name. */
export function isQueueName(name: string): name is QueueName {
  return Object.hasOwn(QUEUES, name);
}

/** Events one module publishes for others, by stream (BullMQ queue events, kept up to a bounded length). */
export interface EventStreams {
  'media.events': {
    eventName: 'task.processed' | 'task.failed';
    taskId: string;
    ownerId: string;
    error?: string;
    requestId?: string;
    /** The outbox row's id: a subscriber that sees one twice can tell. */
    eventId?: string;
  };
  /** Projects: changes for the next module (deploy); ids only, never values. */
  'projects.events': {
    eventName: 'project.created' | 'project.updated' | 'project.deleted' | 'project.env.changed';
    projectId: string;
    /** The outbox sequence number: a consumer that sees one twice can tell. */
    seq: string;
    key?: string;
  };
  /** Deploy: requests to the process that runs builds and apps (cancel a build, stop/start/restart an app). */
  'deploy.events': {
    eventName: 'deployment.cancel' | 'app.control';
    projectId: string;
    deploymentId?: string;
    action?: 'stop' | 'start' | 'restart';
  };
}

/** Name of an event stream. */
export type EventStreamName = keyof EventStreams;

/** Every event name of each stream, so a subscriber listens for all of them. */
export const EVENT_NAMES: { readonly [S in EventStreamName]: ReadonlyArray<EventStreams[S]['eventName']> } = {
  'media.events': ['task.processed', 'task.failed'],
  'projects.events': ['project.created', 'project.updated', 'project.deleted', 'project.env.changed'],
  'deploy.events': ['deployment.cancel', 'app.control'],
};

/** Narrows a string to a known event stream name. */
export function isEventStreamName(name: string): name is EventStreamName {
  return Object.hasOwn(EVENT_NAMES, name);
}

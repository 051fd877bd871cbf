import type { ModuleQueues } from '../../platform/module.ts';
import { HOUSEKEEPING_SPEC } from '../../platform/platform-module.ts';
import { pruneIdentity } from './housekeeping.ts';
import { projectPending } from './projector.ts';
import { createIdentity } from './service.ts';

/** Identity's job payloads, by queue. */
export interface IdentityQueuePayloads {
  /** Housekeeping (repeatable): prune expired rate-limit counters and refresh tokens. */
  'identity.housekeeping': Record<string, never>;
  /** Bring the user_directory read model up to date with the outbox. */
  'identity.project': { reason: string };
}

declare module '../../platform/queue/definitions.ts' {
  interface QueuePayloads extends IdentityQueuePayloads {}
}

/** Identity's queues: settings and handlers. */
export const identityQueues: ModuleQueues<IdentityQueuePayloads> = {
  'identity.housekeeping': {
    spec: HOUSEKEEPING_SPEC,
    handler: (ctx) => async () => pruneIdentity(ctx.pool),
  },
  'identity.project': {
    spec: {
      attempts: 10,
      backoff: { type: 'exponential', delayMs: 200 },
      timeoutMs: 60_000,
      concurrency: 1,
      keepCompleted: { count: 100, ageSeconds: 600 },
      keepFailed: { count: 1000, ageSeconds: 7 * 24 * 3600 },
    },
    handler: (ctx) => {
      const identity = createIdentity(ctx);
      return async () => ({ applied: await projectPending(identity.db) });
    },
  },
};

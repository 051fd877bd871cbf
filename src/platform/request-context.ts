import { AsyncLocalStorage } from 'node:async_hooks';

const context = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` with `requestId` as the current request id (the HTTP layer does this for every request). */
export function runWithRequestId<T>(requestId: string, fn: () => T): T {
  return context.run({ requestId }, fn);
}

/** The id of the request the caller runs for, if any: jobs and outbox rows carry it to the workers. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

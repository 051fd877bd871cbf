/**
 * In-process notice that an app's serving release or wanted state changed, so
 * this process's router drops its cached answer at once; routers in other
 * processes see the change when their cache entry expires.
 */
const listeners = new Set<(slug: string) => void>();

/** Calls `listener` with the slug of each app whose route changed in this process; returns a function that stops it. */
export function onLiveChange(listener: (slug: string) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Announces that an app's route changed. */
export function announceLiveChange(slug: string): void {
  for (const listener of listeners) listener(slug);
}

import { signedPath, type FileKind } from './links.ts';
import type { TaskRow } from './tasks.ts';

/** The API's view of a task, with signed links to its files. */
export function presentTask(task: TaskRow, secret: Uint8Array, ttlSeconds: number) {
  const link = (kind: FileKind) => signedPath('/api/tasks', secret, task.id, kind, ttlSeconds);
  return {
    id: task.id,
    title: task.title,
    status: task.status,
    progress: task.progress,
    error: task.error,
    createdAt: task.createdAt.toISOString(),
    startedAt: task.startedAt?.toISOString() ?? null,
    finishedAt: task.finishedAt?.toISOString() ?? null,
    input: task.input,
    output: task.output,
    links: {
      original: link('original'),
      processed: task.status === 'processed' ? link('processed') : null,
      thumbnail: task.status === 'processed' ? link('thumbnail') : null,
    },
  };
}

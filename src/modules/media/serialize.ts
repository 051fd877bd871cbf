import { signedPath, type FileKind } from './links.ts';
import type { TaskRow } from './tasks.ts';

const facts = {
  type: 'object',
  nullable: true,
  properties: { durationSec: { type: 'number' }, width: { type: 'integer' }, height: { type: 'integer' }, sizeBytes: { type: 'integer' } },
} as const;

/** JSON schema of a task as the API returns it. */
export const taskSchema = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    title: { type: 'string' },
    status: { type: 'string', enum: ['queued', 'processing', 'processed', 'failed', 'cancelled'] },
    progress: { type: 'integer', minimum: 0, maximum: 100 },
    error: { type: 'string', nullable: true },
    createdAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time', nullable: true },
    finishedAt: { type: 'string', format: 'date-time', nullable: true },
    input: facts,
    output: facts,
    links: {
      type: 'object',
      description: 'signed URLs, usable without a token (e.g. in a <video> tag) until they expire',
      properties: { original: { type: 'string' }, processed: { type: 'string', nullable: true }, thumbnail: { type: 'string', nullable: true } },
    },
  },
} as const;

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

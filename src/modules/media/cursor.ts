import { HttpError } from '../../platform/http/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import { isCanonicalInstant } from '../../platform/validation.ts';
import type { TaskRow } from './tasks.ts';

/** The opaque cursor that continues a task list after `task`. */
export function encodeCursor(task: TaskRow): string {
  return Buffer.from(JSON.stringify({ createdAt: task.createdAt.toISOString(), id: task.id })).toString('base64url');
}

/** Reads a cursor made by encodeCursor; anything else is a 400. */
export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { createdAt?: unknown; id?: unknown };
    if (typeof value.createdAt === 'string' && isCanonicalInstant(value.createdAt) && typeof value.id === 'string' && isUuid(value.id)) {
      return { createdAt: value.createdAt, id: value.id };
    }
  } catch {
    // not base64url JSON: fall through to the 400
  }
  throw new HttpError(400, 'validation_failed', 'the cursor is not valid', [{ field: 'cursor', message: 'is not a cursor from this API' }]);
}

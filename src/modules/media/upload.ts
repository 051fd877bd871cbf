import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../../platform/http/errors.ts';
import { ObjectTooLargeError } from '../../platform/storage/local.ts';
import type { Storage } from '../../platform/storage/storage.ts';
import { fileKeys } from './tasks.ts';

/** What a multipart upload delivered: the new task id (its original is stored), title and type. */
export interface ReceivedUpload {
  id: string;
  title: string | undefined;
  contentType: string;
}

const FILE_FIELDS = new Set(['file', 'video']);

/**
 * Streams the `file` (or `video`) part straight into storage, never holding it in
 * memory; past maxBytes it answers 413 and keeps nothing.
 */
export async function receiveUpload(request: FastifyRequest, storage: Storage, maxBytes: number): Promise<ReceivedUpload> {
  const id = randomUUID();
  let title: string | undefined;
  let contentType: string | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (part.fieldname === 'title' && typeof part.value === 'string') title = part.value;
        continue;
      }
      if (!FILE_FIELDS.has(part.fieldname) || contentType !== undefined) {
        part.file.resume();
        throw new HttpError(400, 'validation_failed', 'send one file, in the field "file" (or "video")', [{ field: part.fieldname, message: 'unexpected file' }]);
      }
      contentType = part.mimetype || 'application/octet-stream';
      await storage.put(fileKeys(id).original, part.file, { maxBytes });
      if (part.file.truncated) throw new ObjectTooLargeError('too large');
    }
  } catch (error) {
    await storage.delete(fileKeys(id).original);
    const code = (error as { code?: string }).code;
    if (error instanceof ObjectTooLargeError || code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new HttpError(413, 'payload_too_large', `the file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
    }
    throw error;
  }
  if (contentType === undefined) {
    throw new HttpError(400, 'validation_failed', 'no file was sent', [{ field: 'file', message: 'is required' }]);
  }
  return { id, title, contentType };
}

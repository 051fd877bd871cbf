import { randomUUID } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
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
const MAX_FIELDS = 10;

/**
 * Busboy's limits for task uploads. They sit one above what receiveUpload accepts:
 * busboy reports its own limits only when the next part is asked for, which never
 * happens while a file part is being read, so receiveUpload refuses the extra part itself.
 */
export const multipartLimits = (maxBytes: number) => ({ fileSize: maxBytes, files: 2, fields: MAX_FIELDS + 1, fieldSize: 10_000 });

// What busboy and @fastify/multipart throw for a body that is not well-formed multipart.
const MALFORMED = /^(Multipart: |Unexpected end of|Part terminated early|Malformed|Unsupported content type|reach (parts|fields|files) limit)/;

/**
 * Reads the part from now on, through a stream whose end or failure is certain. For a body
 * that ends inside a part (no closing boundary), busboy closes the part without ending it
 * or failing it, which would leave its reader waiting for ever.
 */
function consumeNow(file: Readable): Readable {
  const body = new PassThrough();
  body.on('error', () => undefined); // storage.put reads the failure from the stream itself
  file.on('error', (error) => body.destroy(error));
  const cutShort = () => {
    if (!file.readableEnded) body.destroy(new Error('Part terminated early'));
  };
  // When the whole body had arrived before the part was handed over, busboy may have closed it already.
  if (file.destroyed) cutShort();
  else file.on('close', cutShort);
  return file.pipe(body);
}

function malformed(error: unknown): HttpError | undefined {
  const { message, code } = error as { message?: string; code?: string };
  if (code?.startsWith('FST_') && code !== 'FST_REQ_FILE_TOO_LARGE')
    return new HttpError(400, 'bad_request', 'the multipart body is malformed or has too many parts');
  if (typeof message === 'string' && MALFORMED.test(message)) return new HttpError(400, 'bad_request', 'the multipart body is malformed or incomplete');
  return undefined;
}

/**
 * Streams the `file` (or `video`) part straight into storage, never holding it in
 * memory; past maxBytes it answers 413 and keeps nothing.
 */
export async function receiveUpload(request: FastifyRequest, storage: Storage, maxBytes: number): Promise<ReceivedUpload> {
  const id = randomUUID();
  let title: string | undefined;
  let contentType: string | undefined;
  let fields = 0;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        if (++fields > MAX_FIELDS) throw new HttpError(400, 'bad_request', `send at most ${MAX_FIELDS} fields beside the file`);
        if (part.fieldname === 'title' && typeof part.value === 'string') title = part.value;
        continue;
      }
      if (!FILE_FIELDS.has(part.fieldname) || contentType !== undefined) {
        part.file.resume();
        throw new HttpError(400, 'validation_failed', 'send one file, in the field "file" (or "video")', [
          { field: part.fieldname, message: 'unexpected file' },
        ]);
      }
      contentType = part.mimetype || 'application/octet-stream';
      await storage.put(fileKeys(id).original, consumeNow(part.file), { maxBytes });
      if (part.file.truncated) throw new ObjectTooLargeError('too large');
    }
  } catch (error) {
    await storage.delete(fileKeys(id).original);
    const code = (error as { code?: string }).code;
    if (error instanceof ObjectTooLargeError || code === 'FST_REQ_FILE_TOO_LARGE') {
      throw new HttpError(413, 'payload_too_large', `the file is larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
    }
    throw malformed(error) ?? error;
  }
  if (contentType === undefined) {
    throw new HttpError(400, 'validation_failed', 'no file was sent', [{ field: 'file', message: 'is required' }]);
  }
  return { id, title, contentType };
}

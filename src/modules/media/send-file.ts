import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../../platform/http/errors.ts';
import type { Storage } from '../../platform/storage/storage.ts';

/** Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; undefined for none, 'invalid' when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  let start: number;
  let end: number;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  }
  return start > end || start >= size ? 'invalid' : { start, end };
}

/** Streams a stored object with Range support (206/416) and the right Content-Type. */
export async function sendFile(request: FastifyRequest, reply: FastifyReply, storage: Storage, key: string, contentType: string) {
  const info = await storage.stat(key);
  if (!info) throw new HttpError(404, 'not_found', 'this file does not exist (yet)');
  reply.header('accept-ranges', 'bytes').header('content-type', contentType).header('cache-control', 'private, max-age=300');
  const range = parseRange(request.headers.range, info.size);
  if (range === 'invalid') {
    reply.header('content-range', `bytes */${info.size}`);
    throw new HttpError(416, 'range_not_satisfiable', 'the requested range is outside the file');
  }
  if (!range) return reply.header('content-length', info.size).send(await storage.get(key));
  return reply
    .status(206)
    .header('content-range', `bytes ${range.start}-${range.end}/${info.size}`)
    .header('content-length', range.end - range.start + 1)
    .send(await storage.get(key, range));
}

import { randomUUID } from 'node:crypto';
import multipart from '@fastify/multipart';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { verifySignature, type FileKind } from './links.ts';
import { checkTarget, ImportError } from './remote-fetch.ts';
import { presentTask, taskSchema } from './serialize.ts';
import { announce, type TaskFeed } from './task-feed.ts';
import { fileKeys, TaskRepository, type TaskRow, type TaskStatus } from './tasks.ts';
import { multipartLimits, receiveUpload } from './upload.ts';
import { sendFile } from './send-file.ts';
import { originalContentType } from './content-types.ts';
import { TaskDeletions } from './deletions.ts';
import { deleteTask } from './task-deletion.ts';
import { isUuid } from '../../platform/ids.ts';
import { isCanonicalInstant } from '../../platform/validation.ts';

const STATUSES: TaskStatus[] = ['queued', 'processing', 'processed', 'failed', 'cancelled'];
const bearer = [{ bearer: [] }];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;
const notFound = () => new HttpError(404, 'not_found', 'no such task');

function encodeCursor(task: TaskRow): string {
  return Buffer.from(JSON.stringify({ createdAt: task.createdAt.toISOString(), id: task.id })).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { createdAt?: unknown; id?: unknown };
    if (typeof value.createdAt === 'string' && isCanonicalInstant(value.createdAt) && typeof value.id === 'string' && isUuid(value.id)) {
      return { createdAt: value.createdAt, id: value.id };
    }
  } catch {
    // fall through
  }
  throw new HttpError(400, 'validation_failed', 'the cursor is not valid', [{ field: 'cursor', message: 'is not a cursor from this API' }]);
}

/** Video tasks: create (upload or URL), list, get, cancel/delete, download/stream, live events. */
export async function registerTaskRoutes(app: FastifyInstance, ctx: ModuleContext, feed: TaskFeed): Promise<void> {
  const tasks = new TaskRepository(ctx.pool);
  const deletions = new TaskDeletions(ctx.pool);
  const media = ctx.config.media;
  const present = (task: TaskRow) => presentTask(task, ctx.jwtSecret, media.linkTtlSeconds);
  await app.register(multipart, { limits: multipartLimits(media.maxUploadBytes) });

  const logQueueFailure = (error: unknown) => ctx.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not queue a media task');
  const enqueue = async (task: TaskRow) => {
    try {
      await ctx.queues.queue('media.process').add('process', { taskId: task.id }, { jobId: task.id });
    } catch (error) {
      // Without a job the task would stay queued for ever (and its Idempotency-Key would keep returning it).
      logQueueFailure(error);
      await Promise.all(Object.values(fileKeys(task.id)).map((key) => ctx.storage.delete(key)));
      await tasks.delete(task.id);
      throw new HttpError(503, 'queue_unavailable', 'the task could not be queued; nothing was kept, please try again');
    }
    await announce(ctx.pool, task);
  };

  const create = async (request: FastifyRequest, reply: FastifyReply) => {
    const ownerId = request.user!.id;
    const rawKey = request.headers['idempotency-key'];
    const key = typeof rawKey === 'string' && rawKey.length > 0 ? rawKey.slice(0, 200) : undefined;
    if (key) {
      const existing = await tasks.byIdempotencyKey(ownerId, key);
      if (existing) return reply.status(200).send(present(existing));
    }
    if (request.isMultipart()) {
      const upload = await receiveUpload(request, ctx.storage, media.maxUploadBytes);
      const title = (upload.title ?? '').trim().slice(0, 200) || 'Untitled video';
      const { task, created } = await tasks.create({ id: upload.id, ownerId, title, originalType: upload.contentType, ...(key ? { idempotencyKey: key } : {}) });
      if (!created) {
        await ctx.storage.delete(fileKeys(upload.id).original); // a concurrent request with the same key won
        return reply.status(200).send(present(task));
      }
      await enqueue(task);
      return reply.status(201).send(present(task));
    }
    const body = request.body as { url?: unknown; title?: unknown } | undefined;
    const problems = [];
    if (typeof body?.url !== 'string' || !URL.canParse(body.url)) problems.push({ field: 'url', message: 'must be an http(s) URL' });
    if (body?.title !== undefined && typeof body.title !== 'string') problems.push({ field: 'title', message: 'must be a string' });
    if (problems.length > 0) throw new HttpError(400, 'validation_failed', 'send a multipart upload, or JSON {url, title?}', problems);
    const url = body!.url as string;
    try {
      await checkTarget(new URL(url), { allowHosts: media.importAllowHosts });
    } catch (error) {
      if (error instanceof ImportError) throw new HttpError(422, 'url_refused', error.message);
      throw error;
    }
    const title = ((body!.title as string | undefined) ?? '').trim().slice(0, 200) || new URL(url).pathname.split('/').pop() || 'Imported video';
    const { task, created } = await tasks.create({ id: randomUUID(), ownerId, title, sourceUrl: url, ...(key ? { idempotencyKey: key } : {}) });
    if (created) await enqueue(task);
    return reply.status(created ? 201 : 200).send(present(task));
  };

  type ListRoute = { Querystring: { max: number; order: 0 | 1; status?: TaskStatus; cursor?: string } };
  type IdRoute = { Params: { id: string } };
  const list = async (request: FastifyRequest<ListRoute>) => {
    const { max, order, status, cursor } = request.query;
    const rows = await tasks.list({ ownerId: request.user!.id, max: max + 1, newestFirst: order === 1, status, after: cursor ? decodeCursor(cursor) : undefined });
    const page = rows.slice(0, max);
    return { data: page.map(present), nextCursor: rows.length > max ? encodeCursor(page[page.length - 1]!) : null };
  };

  const getOne = async (request: FastifyRequest<IdRoute>) => {
    const task = isUuid(request.params.id) ? await tasks.get(request.params.id, request.user!.id) : undefined;
    if (!task) throw notFound();
    return present(task);
  };

  const remove = async (request: FastifyRequest<IdRoute>, reply: FastifyReply) => {
    if (!isUuid(request.params.id) || !(await deleteTask(ctx, deletions, request.params.id, request.user!.id))) throw notFound();
    return reply.status(204).send();
  };

  const listQuery = {
    type: 'object',
    additionalProperties: false,
    properties: {
      max: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      order: { type: 'integer', enum: [0, 1], default: 1, description: '1: newest first, 0: oldest first' },
      status: { type: 'string', enum: STATUSES },
      cursor: { type: 'string', maxLength: 200 },
    },
  } as const;
  const listResponse = { type: 'object', properties: { data: { type: 'array', items: taskSchema }, nextCursor: { type: 'string', nullable: true } } } as const;

  for (const prefix of ['/api/tasks', '/tasks']) {
    const tags = prefix === '/api/tasks' ? ['media'] : ['compatibility'];
    app.post(prefix, {
      onRequest: ctx.auth.authenticate,
      schema: {
        tags,
        summary: 'Create a task: multipart upload (field "file" or "video", optional "title") or JSON {url, title?}',
        security: bearer,
        consumes: ['multipart/form-data', 'application/json'],
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
        response: { 200: taskSchema, 201: taskSchema, ...errorResponses(400, 401, 413, 422) },
      },
    }, create);
    app.get<ListRoute>(prefix, {
      onRequest: ctx.auth.authenticate,
      schema: { tags, summary: 'The caller’s tasks, paged', security: bearer, querystring: listQuery, response: { 200: listResponse, ...errorResponses(400, 401) } },
    }, list);
    app.get<IdRoute>(`${prefix}/:id`, {
      onRequest: ctx.auth.authenticate,
      schema: { tags, summary: 'One task', security: bearer, params: idParams, response: { 200: taskSchema, ...errorResponses(401, 404) } },
    }, getOne);
    app.delete<IdRoute>(`${prefix}/:id`, {
      onRequest: ctx.auth.authenticate,
      schema: { tags, summary: 'Cancel the task if it runs, delete its files and the task', security: bearer, params: idParams, response: { 204: { type: 'null' }, ...errorResponses(401, 404) } },
    }, remove);
  }

  app.get<{ Params: { id: string; kind: FileKind }; Querystring: { expires?: string; sig?: string } }>('/api/tasks/:id/:kind', {
    schema: {
      tags: ['media'],
      summary: 'Download or stream a file (Range supported); Bearer token or the signed link from `links`',
      security: bearer,
      params: { type: 'object', required: ['id', 'kind'], properties: { id: { type: 'string' }, kind: { type: 'string', enum: ['original', 'processed', 'thumbnail'] } } },
      querystring: { type: 'object', properties: { expires: { type: 'string', maxLength: 20 }, sig: { type: 'string', maxLength: 100 } } },
    },
  }, async (request, reply) => {
    const { id, kind } = request.params;
    if (!isUuid(id)) throw notFound();
    const { expires, sig } = request.query;
    let task: TaskRow | undefined;
    if (expires !== undefined || sig !== undefined) {
      if (!verifySignature(ctx.jwtSecret, id, kind, expires ?? '', sig ?? '')) throw new HttpError(403, 'link_expired', 'this link is not valid or has expired; get a fresh one from the task');
      task = await tasks.get(id);
    } else {
      await ctx.auth.authenticate(request, reply);
      task = await tasks.get(id, request.user!.id);
    }
    if (!task) throw notFound();
    const type = kind === 'processed' ? 'video/mp4' : kind === 'thumbnail' ? 'image/jpeg' : originalContentType(task.input?.container);
    // An original is whatever the uploader sent: a download, never a page of our origin.
    if (kind === 'original') reply.header('content-disposition', 'attachment; filename="original"');
    return sendFile(request, reply, ctx.storage, fileKeys(id)[kind], type);
  });

  // Open event streams never end by themselves: end them when the server closes, or it would wait for ever.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });

  app.get<{ Querystring: { access_token?: string } }>('/api/tasks/events', {
    schema: {
      tags: ['media'],
      summary: 'Server-Sent Events of the caller’s task status and progress (Bearer header, or ?access_token= for EventSource)',
      security: bearer,
      querystring: { type: 'object', properties: { access_token: { type: 'string', maxLength: 2000 } } },
    },
  }, async (request, reply) => {
    if (!request.headers.authorization && request.query.access_token) request.headers.authorization = `Bearer ${request.query.access_token}`;
    await ctx.auth.authenticate(request, reply);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-request-id': request.id, 'x-content-type-options': 'nosniff' });
    streams.add(res);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), 15_000);
    let unsubscribe: (() => void) | undefined;
    let closed = false;
    request.raw.on('close', () => {
      closed = true;
      streams.delete(res);
      clearInterval(heartbeat);
      unsubscribe?.();
    });
    const stop = await feed.subscribe(request.user!.id, (change) => {
      res.write(`event: task\ndata: ${JSON.stringify({ id: change.id, status: change.status, progress: change.progress, error: change.error })}\n\n`);
    });
    if (closed) stop();
    else unsubscribe = stop;
    // Only now, subscribed: a client that acts once it sees the stream open misses no event.
    res.write(': connected\n\n');
  });
}

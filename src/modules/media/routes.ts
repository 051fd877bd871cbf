import multipart from '@fastify/multipart';
import { mediaSettings } from './config.ts';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import type { ModuleContext } from '../../platform/module.ts';
import type { FileKind } from './links.ts';
import { presentTask, taskSchema } from './serialize.ts';
import { sendFile } from './send-file.ts';
import type { TaskService } from './service.ts';
import type { TaskFeed } from './task-feed.ts';
import type { TaskRow, TaskStatus } from './tasks.ts';
import { multipartLimits, receiveUpload } from './upload.ts';

const STATUSES: TaskStatus[] = ['queued', 'processing', 'processed', 'failed', 'cancelled'];
const bearer = [{ bearer: [] }];
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } as const;

/** Video tasks: create (upload or URL), list, get, cancel/delete, download/stream, live events. */
export async function registerTaskRoutes(app: FastifyInstance, ctx: ModuleContext, service: TaskService, feed: TaskFeed): Promise<void> {
  const media = mediaSettings.get(ctx.config);
  const present = (task: TaskRow) => presentTask(task, ctx.jwtSecret, media.linkTtlSeconds);
  await app.register(multipart, { limits: multipartLimits(media.maxUploadBytes) });

  const create = async (request: FastifyRequest, reply: FastifyReply) => {
    const ownerId = request.user!.id;
    const rawKey = request.headers['idempotency-key'];
    const key = typeof rawKey === 'string' && rawKey.length > 0 ? rawKey.slice(0, 200) : undefined;
    if (key) {
      const existing = await service.byIdempotencyKey(ownerId, key);
      if (existing) return reply.status(200).send(present(existing));
    }
    if (request.isMultipart()) {
      const upload = await receiveUpload(request, ctx.storage, media.maxUploadBytes);
      const title = (upload.title ?? '').trim().slice(0, 200) || 'Untitled video';
      const { task, created } = await service.createUploaded({ id: upload.id, ownerId, title, originalType: upload.contentType, idempotencyKey: key });
      return reply.status(created ? 201 : 200).send(present(task));
    }
    const body = request.body as { url?: unknown; title?: unknown } | undefined;
    const problems = [];
    if (typeof body?.url !== 'string' || !URL.canParse(body.url)) problems.push({ field: 'url', message: 'must be an http(s) URL' });
    if (body?.title !== undefined && typeof body.title !== 'string') problems.push({ field: 'title', message: 'must be a string' });
    if (problems.length > 0) throw new HttpError(400, 'validation_failed', 'send a multipart upload, or JSON {url, title?}', problems);
    const { task, created } = await service.createImport(ownerId, body!.url as string, body!.title as string | undefined, key);
    return reply.status(created ? 201 : 200).send(present(task));
  };

  type ListRoute = { Querystring: { max: number; order: 0 | 1; status?: TaskStatus; cursor?: string } };
  type IdRoute = { Params: { id: string } };
  const list = async (request: FastifyRequest<ListRoute>) => {
    const { max, order, status, cursor } = request.query;
    const page = await service.list(request.user!.id, { max, newestFirst: order === 1, status, cursor });
    return { data: page.tasks.map(present), nextCursor: page.nextCursor };
  };

  const getOne = async (request: FastifyRequest<IdRoute>) => present(await service.get(request.user!.id, request.params.id));

  const remove = async (request: FastifyRequest<IdRoute>, reply: FastifyReply) => {
    await service.delete(request.user!.id, request.params.id);
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
    if (!isUuid(id)) throw new HttpError(404, 'not_found', 'no such task'); // before asking for a token, as for any unknown task
    const { expires, sig } = request.query;
    const signed = expires !== undefined || sig !== undefined;
    if (!signed) await ctx.auth.authenticate(request, reply);
    const file = await service.file(id, kind, signed ? { expires: expires ?? '', sig: sig ?? '' } : { ownerId: request.user!.id });
    // An original is whatever the uploader sent: a download, never a page of our origin.
    if (kind === 'original') reply.header('content-disposition', 'attachment; filename="original"');
    return sendFile(request, reply, ctx.storage, file.key, file.type);
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

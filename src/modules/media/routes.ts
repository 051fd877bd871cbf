import multipart from '@fastify/multipart';
import { mediaSettings } from './config.ts';
import type { ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorResponses, HttpError } from '../../platform/http/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import type { ModuleContext } from '../../platform/module.ts';
import * as S from './schemas.ts';
import { presentTask } from './serialize.ts';
import { sendFile } from './send-file.ts';
import type { TaskService } from './service.ts';
import type { TaskFeed } from './task-feed.ts';
import type { TaskRow } from './tasks.ts';
import { multipartLimits, receiveUpload } from './upload.ts';

const bearer = [{ bearer: [] }];

/** Video tasks: create (upload or URL), list, get, cancel/delete, download/stream, live events. */
export async function registerTaskRoutes(scope: FastifyInstance, ctx: ModuleContext, service: TaskService, feed: TaskFeed): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
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

  for (const prefix of ['/api/tasks', '/tasks']) {
    const tags = prefix === '/api/tasks' ? ['media'] : ['compatibility'];
    app.post(
      prefix,
      {
        onRequest: ctx.auth.authenticate,
        schema: {
          tags,
          summary: 'Create a task: multipart upload (field "file" or "video", optional "title") or JSON {url, title?}',
          security: bearer,
          consumes: ['multipart/form-data', 'application/json'],
          headers: S.CreateHeaders,
          response: { 200: S.Task, 201: S.Task, ...errorResponses(400, 401, 413, 422) },
        },
      },
      create,
    );
    app.get(
      prefix,
      {
        onRequest: ctx.auth.authenticate,
        schema: {
          tags,
          summary: 'The caller’s tasks, paged',
          security: bearer,
          querystring: S.ListQuery,
          response: { 200: S.TaskPage, ...errorResponses(400, 401) },
        },
      },
      async (request) => {
        const { max, order, status, cursor } = request.query;
        const page = await service.list(request.user!.id, { max, newestFirst: order === 1, status, cursor });
        return { data: page.tasks.map(present), nextCursor: page.nextCursor };
      },
    );
    app.get(
      `${prefix}/:id`,
      {
        onRequest: ctx.auth.authenticate,
        schema: { tags, summary: 'One task', security: bearer, params: S.IdParams, response: { 200: S.Task, ...errorResponses(401, 404) } },
      },
      async (request) => present(await service.get(request.user!.id, request.params.id)),
    );
    app.delete(
      `${prefix}/:id`,
      {
        onRequest: ctx.auth.authenticate,
        schema: {
          tags,
          summary: 'Cancel the task if it runs, delete its files and the task',
          security: bearer,
          params: S.IdParams,
          response: { 204: { type: 'null' }, ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        await service.delete(request.user!.id, request.params.id);
        return reply.status(204).send(null);
      },
    );
  }

  app.get(
    '/api/tasks/:id/:kind',
    {
      schema: {
        tags: ['media'],
        summary: 'Download or stream a file (Range supported); Bearer token or the signed link from `links`',
        security: bearer,
        params: S.FileParams,
        querystring: S.FileQuery,
      },
    },
    async (request, reply) => {
      const { id, kind } = request.params;
      if (!isUuid(id)) throw new HttpError(404, 'not_found', 'no such task'); // before asking for a token, as for any unknown task
      const { expires, sig } = request.query;
      const signed = expires !== undefined || sig !== undefined;
      if (!signed) await ctx.auth.authenticate(request, reply);
      const file = await service.file(id, kind, signed ? { expires: expires ?? '', sig: sig ?? '' } : { ownerId: request.user!.id });
      // An original is whatever the uploader sent: a download, never a page of our origin.
      if (kind === 'original') reply.header('content-disposition', 'attachment; filename="original"');
      return sendFile(request, reply, ctx.storage, file.key, file.type);
    },
  );

  // Open event streams never end by themselves: end them when the server closes, or it would wait for ever.
  const streams = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of streams) res.end();
  });

  app.get(
    '/api/tasks/events',
    {
      schema: {
        tags: ['media'],
        summary: 'Server-Sent Events of the caller’s task status and progress (Bearer header, or ?access_token= for EventSource)',
        security: bearer,
        querystring: S.EventsQuery,
      },
    },
    async (request, reply) => {
      if (!request.headers.authorization && request.query.access_token) request.headers.authorization = `Bearer ${request.query.access_token}`;
      await ctx.auth.authenticate(request, reply);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': request.id,
        'x-content-type-options': 'nosniff',
      });
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
    },
  );
}

import fs from 'node:fs';
import { mediaSettings } from './config.ts';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Server as TusServer } from '@tus/server';
import { FileStore } from '@tus/file-store';
import { HttpError } from '../../platform/http/errors.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { isUuid } from '../../platform/ids.ts';
import type { TaskService } from './service.ts';
import { fileKeys } from './tasks.ts';

/** Where resumable uploads are received (tus protocol, https://tus.io). */
export const TUS_PATH = '/api/tasks/uploads';
/** Header of the final PATCH response naming the task the completed upload became. */
export const TASK_ID_HEADER = 'Aula-Task-Id';

/**
 * A tus endpoint for resumable uploads: chunks land in `<storage dir>/.tus` (a name no
 * storage key can take); when the last byte arrives the file is streamed into Aula's
 * storage, the task is created (its id is the upload's id) and queued. Only the
 * uploader may continue, inspect or end an upload; anyone else gets a 404.
 */
export async function registerTusUploads(app: FastifyInstance, ctx: ModuleContext, service: TaskService): Promise<void> {
  const directory = path.join(ctx.config.storageDir, '.tus');
  fs.mkdirSync(directory, { recursive: true });
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: 24 * 3600 * 1000 });
  const maxBytes = mediaSettings.get(ctx.config).maxUploadBytes;
  // Who sent each request, as authenticated by Fastify, for the tus hooks (which see a web Request wrapping it).
  const uploader = new WeakMap<object, string>();

  const tus = new TusServer({
    path: TUS_PATH,
    datastore,
    relativeLocation: true,
    maxSize: maxBytes,
    namingFunction: () => randomUUID(),
    async onUploadCreate(req, upload) {
      const ownerId = req.runtime?.node?.req ? uploader.get(req.runtime.node.req) : undefined;
      if (!ownerId) throw { status_code: 401, body: 'a Bearer token is required' };
      return { metadata: { ...upload.metadata, ownerId } };
    },
    async onUploadFinish(_req, upload) {
      const ownerId = upload.metadata?.ownerId;
      if (!ownerId) throw { status_code: 500, body: 'upload without owner' };
      const { id } = upload;
      await ctx.storage.put(fileKeys(id).original, fs.createReadStream(path.join(directory, id)), { maxBytes });
      const meta = upload.metadata ?? {};
      const title = (meta.title ?? meta.filename ?? '').trim().slice(0, 200) || 'Untitled video';
      try {
        await service.createUploaded({ id, ownerId, title, originalType: meta.filetype || 'application/octet-stream' });
      } catch (error) {
        // The task and its file are gone again (see TaskService.createUploaded); tus answers with its own error shape.
        if (error instanceof HttpError && error.statusCode === 503) throw { status_code: 503, body: 'the task could not be queued; please upload again' };
        throw error;
      }
      await datastore.remove(id).catch(() => undefined);
      return { headers: { [TASK_ID_HEADER]: id } };
    },
  });

  const owns = async (request: FastifyRequest<{ Params: { uploadId?: string } }>) => {
    const id = request.params.uploadId;
    if (id === undefined) return;
    if (!isUuid(id)) throw new HttpError(404, 'not_found', 'no such upload');
    const upload = await datastore.getUpload(id).catch(() => undefined);
    if (!upload || upload.metadata?.ownerId !== request.user!.id) throw new HttpError(404, 'not_found', 'no such upload');
  };

  const handle = async (request: FastifyRequest<{ Params: { uploadId?: string } }>, reply: FastifyReply) => {
    await owns(request);
    uploader.set(request.raw, request.user!.id);
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  };

  await app.register(async (scope) => {
    // The chunks stream through to tus untouched.
    scope.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));
    const schema = { hide: true };
    scope.route({ method: 'POST', url: TUS_PATH, onRequest: ctx.auth.authenticate, schema, handler: handle });
    scope.route({ method: ['HEAD', 'PATCH', 'DELETE'], url: `${TUS_PATH}/:uploadId`, onRequest: ctx.auth.authenticate, schema, handler: handle });
  });
}

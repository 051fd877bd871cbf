import { randomUUID } from 'node:crypto';
import { mediaSettings } from './config.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { isUuid } from '../../platform/ids.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { originalContentType } from './content-types.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { TaskDeletions } from './deletions.ts';
import { verifySignature, type FileKind } from './links.ts';
import { checkTarget, ImportError } from './remote-fetch.ts';
import { deleteTask } from './task-deletion.ts';
import { announce } from './task-feed.ts';
import { fileKeys, TaskRepository, type TaskRow, type TaskStatus } from './tasks.ts';

const notFound = () => new HttpError(404, 'not_found', 'no such task');

/** A new task and whether it was made now (false: an earlier request with the same Idempotency-Key made it). */
export interface Created {
  task: TaskRow;
  created: boolean;
}

/** Who may read a task's file: its owner (by token), or anyone holding a valid signed link. */
export type FileAccess = { ownerId: string } | { expires: string; sig: string };

/** Video tasks' rules: create (upload or import) and queue all or nothing, list, get, delete, and file access. */
export class TaskService {
  private readonly tasks: TaskRepository;
  private readonly deletions: TaskDeletions;

  constructor(private readonly ctx: ModuleContext) {
    this.tasks = new TaskRepository(ctx.pool);
    this.deletions = new TaskDeletions(ctx.pool);
  }

  /** The owner's task made earlier with this Idempotency-Key, if any. */
  byIdempotencyKey(ownerId: string, key: string): Promise<TaskRow | undefined> {
    return this.tasks.byIdempotencyKey(ownerId, key);
  }

  /** A task for an original already in storage under `fileKeys(id).original`, queued; a lost Idempotency-Key race removes the file. */
  async createUploaded(upload: { id: string; ownerId: string; title: string; originalType: string; idempotencyKey?: string | undefined }): Promise<Created> {
    const { id, ownerId, title, originalType, idempotencyKey } = upload;
    const result = await this.tasks.create({ id, ownerId, title, originalType, ...(idempotencyKey ? { idempotencyKey } : {}) });
    if (!result.created)
      await this.ctx.storage.delete(fileKeys(id).original); // a concurrent request with the same key won
    else await this.enqueue(result.task);
    return result;
  }

  /** A task that imports the video at `url` (checked against the import rules first: 422 when refused), queued. */
  async createImport(ownerId: string, url: string, title: string | undefined, idempotencyKey: string | undefined): Promise<Created> {
    try {
      await checkTarget(new URL(url), { allowHosts: mediaSettings.get(this.ctx.config).importAllowHosts });
    } catch (error) {
      if (error instanceof ImportError) throw new HttpError(422, 'url_refused', error.message);
      throw error;
    }
    const name = (title ?? '').trim().slice(0, 200) || new URL(url).pathname.split('/').pop() || 'Imported video';
    const result = await this.tasks.create({ id: randomUUID(), ownerId, title: name, sourceUrl: url, ...(idempotencyKey ? { idempotencyKey } : {}) });
    if (result.created) await this.enqueue(result.task);
    return result;
  }

  /** Queues the task's job; when the queue refuses, removes the task and its files (503): a task without a job would stay queued for ever. */
  private async enqueue(task: TaskRow): Promise<void> {
    try {
      await this.ctx.queues.queue('media.process').add('process', { taskId: task.id }, { jobId: task.id });
    } catch (error) {
      this.ctx.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not queue a media task');
      await Promise.all(Object.values(fileKeys(task.id)).map((key) => this.ctx.storage.delete(key)));
      await this.tasks.delete(task.id);
      throw new HttpError(503, 'queue_unavailable', 'the task could not be queued; nothing was kept, please try again');
    }
    await announce(this.ctx.pool, task);
  }

  /** A page of the owner's tasks and the cursor of the next one (null at the end). */
  async list(ownerId: string, query: { max: number; newestFirst: boolean; status?: TaskStatus | undefined; cursor?: string | undefined }) {
    const { max, newestFirst, status, cursor } = query;
    const rows = await this.tasks.list({ ownerId, max: max + 1, newestFirst, status, after: cursor ? decodeCursor(cursor) : undefined });
    const page = rows.slice(0, max);
    return { tasks: page, nextCursor: rows.length > max ? encodeCursor(page[page.length - 1]!) : null };
  }

  async get(ownerId: string, id: string): Promise<TaskRow> {
    const task = isUuid(id) ? await this.tasks.get(id, ownerId) : undefined;
    if (!task) throw notFound();
    return task;
  }

  /** Cancels the task if it runs, then removes it and its files (see deleteTask). */
  async delete(ownerId: string, id: string): Promise<void> {
    if (!isUuid(id) || !(await deleteTask(this.ctx, this.deletions, id, ownerId))) throw notFound();
  }

  /** The storage key and Content-Type of one of a task's files, if `access` allows it (a bad or expired link: 403). */
  async file(id: string, kind: FileKind, access: FileAccess): Promise<{ key: string; type: string }> {
    if (!isUuid(id)) throw notFound();
    let task: TaskRow | undefined;
    if ('ownerId' in access) task = await this.tasks.get(id, access.ownerId);
    else if (verifySignature(this.ctx.jwtSecret, id, kind, access.expires, access.sig)) task = await this.tasks.get(id);
    else throw new HttpError(403, 'link_expired', 'this link is not valid or has expired; get a fresh one from the task');
    if (!task) throw notFound();
    const type = kind === 'processed' ? 'video/mp4' : kind === 'thumbnail' ? 'image/jpeg' : originalContentType(task.input?.container);
    return { key: fileKeys(id)[kind], type };
  }
}

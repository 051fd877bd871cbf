import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { waitUntil } from '../../../test/wait.ts';
import type { EventStreams } from '../../platform/queue/definitions.ts';
import { TaskRepository } from './tasks.ts';

let app: TestApp;
let tasks: TaskRepository;

beforeAll(async () => {
  app = await startTestApp();
  tasks = new TaskRepository(app.runtime.pool);
});
afterAll(async () => app.stop());

async function newTask() {
  return (await tasks.create({ id: randomUUID(), ownerId: randomUUID(), title: 'outbox' })).task;
}

describe('media events go through the outbox', () => {
  it('a task ends failed exactly when its task.failed event is written: an outbox failure leaves the task unchanged', async () => {
    const task = await newTask();
    await app.runtime.pool.query('ALTER TABLE media.outbox RENAME TO outbox_away');
    try {
      await expect(tasks.fail(task.id, 'the video is corrupt')).rejects.toThrow();
    } finally {
      await app.runtime.pool.query('ALTER TABLE media.outbox_away RENAME TO outbox');
    }
    expect((await tasks.get(task.id))?.status).toBe('queued');
  });

  it('publishes a committed terminal change once, with the outbox event id, and empties the outbox', async () => {
    const events: Array<EventStreams['media.events']> = [];
    const stop = await app.runtime.queues.subscribe('media.events', (event) => events.push(event));
    try {
      const task = await newTask();
      expect((await tasks.fail(task.id, 'the video is corrupt'))?.status).toBe('failed');
      expect(await tasks.fail(task.id, 'again')).toBeUndefined(); // no change, no second event
      await waitUntil(() => events.some((e) => e.taskId === task.id));
      await waitUntil(async () => (await app.runtime.pool.query('SELECT count(*)::int AS n FROM media.outbox')).rows[0].n === 0);
      const mine = events.filter((e) => e.taskId === task.id);
      expect(mine).toEqual([expect.objectContaining({ eventName: 'task.failed', taskId: task.id, ownerId: task.ownerId, error: 'the video is corrupt' })]);
      expect(mine[0]!.eventId).toMatch(/^[0-9a-f-]{36}$/);
    } finally {
      await stop();
    }
  });
});

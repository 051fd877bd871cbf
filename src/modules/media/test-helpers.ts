import fs from 'node:fs';
import { call } from '../../../test/http.ts';
import { waitUntil } from '../../../test/wait.ts';

/** Uploads a file as multipart `file` (or another field) with an optional title and headers. */
export async function upload(baseUrl: string, token: string, file: string, opts: { title?: string; field?: string; headers?: Record<string, string> } = {}) {
  const form = new FormData();
  if (opts.title !== undefined) form.append('title', opts.title);
  form.append(opts.field ?? 'file', new Blob([fs.readFileSync(file)], { type: 'video/mp4' }), 'video.mp4');
  const response = await fetch(`${baseUrl}/api/tasks`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...opts.headers }, body: form });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Waits until the task reaches one of the final statuses and returns it. */
export async function waitForTask(baseUrl: string, token: string, id: string, timeoutMs = 60_000) {
  // biome-ignore lint/suspicious/noExplicitAny: a test helper; callers read whichever task fields they assert on
  let task: any;
  await waitUntil(async () => {
    task = (await call(baseUrl, 'GET', `/api/tasks/${id}`, { token })).body;
    return ['processed', 'failed', 'cancelled'].includes(task?.status);
  }, timeoutMs);
  return task;
}

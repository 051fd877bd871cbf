import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { landscapeVideo, tools } from '../../../test/videos.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';
import { probe } from './probe.ts';
import { TaskRepository } from './tasks.ts';

let app: TestApp;
let token: string;

beforeAll(async () => {
  app = await startTestApp(); // no media worker: the test decides what the probe found
  token = (await signUpAndLogIn(app.baseUrl, 'types')).token;
});
afterAll(async () => app.stop());

async function uploadAs(content: string, type: string): Promise<{ id: string; links: { original: string } }> {
  const form = new FormData();
  form.append('file', new Blob([content], { type }), 'page.html');
  const response = await fetch(`${app.baseUrl}/api/tasks`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  expect(response.status).toBe(201);
  return response.json() as Promise<{ id: string; links: { original: string } }>;
}

describe('serving originals', () => {
  it.each([
    ['text/html', '<html><script>alert(document.cookie)</script></html>'],
    ['image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
  ])('never serves an upload declared %s back as such, by token or signed link', async (type, content) => {
    const task = await uploadAs(content, type);
    for (const response of [
      await fetch(`${app.baseUrl}/api/tasks/${task.id}/original`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${app.baseUrl}${task.links.original}`),
    ]) {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/octet-stream');
      expect(response.headers.get('content-disposition')).toMatch(/^attachment/);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await response.text()).toBe(content);
    }
  });

  it('serves a probed video original with the type of its container, still as an attachment', async () => {
    const video = await landscapeVideo(1, 'types.mp4');
    const task = await uploadAs('placeholder', 'text/html');
    const facts = await probe((await tools()).ffprobe, video);
    await new TaskRepository(app.runtime.pool).setInput(task.id, { ...facts });
    const response = await fetch(`${app.baseUrl}/api/tasks/${task.id}/original`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(await response.text()).toBe('placeholder');
  });
});

import { describe, expect, it } from 'vitest';
import { startTestApp } from '../../../test/app.ts';
import { signUpAndLogIn } from '../identity/test-helpers.ts';

describe('task event streams', () => {
  it('an open stream is ended when the server stops, so shutdown does not hang', async () => {
    const app = await startTestApp();
    const user = await signUpAndLogIn(app.baseUrl, 'sse');
    const response = await fetch(`${app.baseUrl}/api/tasks/events`, { headers: { authorization: `Bearer ${user.token}` } });
    const reader = response.body!.getReader();
    await reader.read(); // ": connected"
    await app.stop();
    let done = false;
    while (!done) done = (await reader.read().catch(() => ({ done: true }))).done;
    expect(done).toBe(true);
  });
});

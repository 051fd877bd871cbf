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
    // Without the server ending open streams, stop() waits for this connection for ever.
    const stopped = app.stop().then(() => 'stopped' as const);
    const hung = new Promise<'hung'>((resolve) => setTimeout(resolve, 20_000, 'hung').unref());
    let ending: 'ended' | 'aborted' | undefined;
    while (!ending) {
      const chunk = await reader.read().catch(() => undefined);
      if (!chunk) ending = 'aborted';
      else if (chunk.done) ending = 'ended';
    }
    expect(ending).toBe('ended'); // a clean end of the event stream, not a connection torn down
    expect(await Promise.race([stopped, hung])).toBe('stopped');
  });
});

import http from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { createLogger } from '../logger.ts';

describe('closing the HTTP server', () => {
  it('closes a keep-alive connection whose response ends after close() began, instead of waiting for its timeout', async () => {
    const body = new PassThrough();
    const app = await buildApp({
      log: createLogger('silent'),
      readiness: [],
      register: async (instance) => {
        instance.get('/api/slow', async (_request, reply) => reply.header('content-length', 5).send(body));
      },
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const port = (app.server.address() as { port: number }).port;
    const agent = new http.Agent({ keepAlive: true });
    try {
      body.write('hel'); // Node sends the headers with the first bytes of the body
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        http.get({ host: '127.0.0.1', port, path: '/api/slow', agent }, resolve).on('error', reject);
      });
      // The headers are out, the rest of the body is not: close() starts while this response is still running.
      const closed = app.close();
      body.end('lo');
      let text = '';
      for await (const chunk of response) text += String(chunk);
      expect(text).toBe('hello');
      expect(response.headers.connection).not.toBe('close'); // the client keeps the connection: the server must end it
      await closed; // without the fix this waits for the keep-alive timeout (72 s) and the test times out
    } finally {
      agent.destroy();
      await app.close();
    }
  }, 20_000);
});

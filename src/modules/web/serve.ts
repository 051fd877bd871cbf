import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../../platform/http/errors.ts';
import { URI_TOO_LONG } from '../../platform/http/client-errors.ts';
import type { Logger } from '../../platform/logger.ts';

/** Where `vite build` writes the app (web/dist at the repository root). */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** Paths that belong to the server, never to the client router. */
const SERVER_PREFIXES = ['/api/', '/tasks', '/auth/', '/admin/queues', '/docs', '/apps/'];

function listFiles(root: string, dir = root): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(root, full) : [`/${path.relative(root, full).split(path.sep).join('/')}`];
  });
}

/**
 * Serves the built files (hashed assets cached for a year, index.html never cached)
 * and answers any other GET outside the server's prefixes with index.html, so
 * client routes such as /videos survive a reload.
 */
export async function registerWebApp(app: FastifyInstance, log: Logger, distDir: string): Promise<void> {
  const indexFile = path.join(distDir, 'index.html');
  if (!fs.existsSync(indexFile)) {
    log.warn({ distDir }, 'the web app is not built (npm start builds it; or run npm run build:web); / serves the API docs');
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/docs'));
    return;
  }
  const files = new Set(listFiles(distDir));
  await app.register(fastifyStatic, { root: distDir, serve: false, cacheControl: false });

  const sendIndex = (reply: import('fastify').FastifyReply) => reply.header('cache-control', 'no-cache').sendFile('index.html');

  app.get('/', { schema: { hide: true } }, async (_request, reply) => sendIndex(reply));
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    // Fastify has already refused malformed percent-encoding with a 400.
    const pathname = decodeURIComponent(request.url.split('?')[0]!);
    if (files.has(pathname) && pathname !== '/index.html') {
      const immutable = pathname.startsWith('/assets/');
      return reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').sendFile(pathname.slice(1));
    }
    if (SERVER_PREFIXES.some((prefix) => pathname.startsWith(prefix)) || path.extname(pathname) !== '') {
      // A server route whose parameter is longer than the router takes falls through to this wildcard: the router's 414, then.
      if (pathname.split('/').some((part) => part.length > request.server.initialConfig.maxParamLength!)) throw new HttpError(...URI_TOO_LONG);
      throw new HttpError(404, 'not_found', `no route for GET ${pathname}`);
    }
    return sendIndex(reply);
  });
}

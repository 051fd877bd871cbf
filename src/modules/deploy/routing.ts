import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import replyFrom from '@fastify/reply-from';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Agent } from 'undici';
import { HttpError } from '../../platform/http/errors.ts';
import { onLiveChange } from './live-changes.ts';
import { appRequests } from './metrics.ts';
import { proxyAppWebSockets } from './websockets.ts';
import type { ReleaseMeta, ReleasePaths } from './release.ts';
import type { DeployRepository } from './repository.ts';

const SLUG = /^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$/;
const CACHE_MS = 1000;
const FLUSH_MS = 1000;
const CACHE_MAX = 10_000;

/**
 * Requests for `<slug>.<domain>` are given the path `/apps/<slug>/…` before the
 * router sees them (a listener ahead of Fastify's on the server), unless their
 * path already carries it (links the app made with BASE_PATH).
 */
function routeAppHosts(app: FastifyInstance, domain: string): void {
  const suffix = `.${domain}`;
  const rewrite = (request: IncomingMessage) => {
    const host = (request.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
    if (!host.endsWith(suffix)) return;
    const slug = host.slice(0, -suffix.length);
    if (!SLUG.test(slug)) return;
    const prefix = `/apps/${slug}`;
    const url = request.url ?? '/';
    if (url !== prefix && !url.startsWith(`${prefix}/`) && !url.startsWith(`${prefix}?`)) request.url = `${prefix}${url.startsWith('/') ? url : `/${url}`}`;
  };
  app.server.prependListener('request', rewrite);
  app.server.prependListener('upgrade', rewrite);
}

/**
 * Routes `/apps/<slug>/…` to the app's live release (WebSocket upgrades too): a Node.js app through its
 * unix socket (one undici agent whose connector maps the origin's host name, the
 * deployment id, to that release's socket), a static site from its directory.
 * The live release is cached for a second per slug; a switch or stop in this
 * process clears its entry at once, other processes see it within the second.
 */
export async function registerAppRouting(app: FastifyInstance, repo: DeployRepository, paths: ReleasePaths, appsDomain?: string): Promise<void> {
  if (appsDomain) routeAppHosts(app, appsDomain);
  const agent = new Agent({
    connect: (options, callback) => {
      const socket = net.connect(paths.socket(options.hostname));
      socket.once('connect', () => callback(null, socket));
      socket.once('error', (error) => callback(error, null));
    },
  });
  app.addHook('onClose', () => agent.close());
  await app.register(replyFrom, { undici: agent, disableRequestLogging: true });
  await app.register(fastifyStatic, { root: paths.root, serve: false });
  // Bodies go to the app as they came.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  const metas = new Map<string, ReleaseMeta>();
  const cache = new Map<string, { at: number; release: Awaited<ReturnType<DeployRepository['liveBySlug']>> }>();
  const stopListening = onLiveChange((slug) => cache.delete(slug));
  app.addHook('onClose', async () => void stopListening());
  const stopWebSockets = proxyAppWebSockets(app.server, async (slug) => {
    const release = await repo.liveBySlug(slug);
    return release && release.kind !== 'static' && release.desired === 'running' ? paths.socket(release.deploymentId) : undefined;
  });
  app.addHook('preClose', async () => stopWebSockets());

  const live = async (request: FastifyRequest<{ Params: { slug: string } }>) => {
    const slug = request.params.slug;
    let cached = cache.get(slug);
    if (!cached || Date.now() - cached.at > CACHE_MS) {
      cached = { at: Date.now(), release: await repo.liveBySlug(slug) };
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(slug, cached);
    }
    const release = cached.release;
    if (!release) throw new HttpError(404, 'not_found', `no app is deployed at /apps/${request.params.slug}/`);
    if (release.desired === 'stopped') throw new HttpError(503, 'unavailable', 'the app is stopped');
    let meta = metas.get(release.deploymentId);
    if (!meta) {
      meta = await paths.meta(release.deploymentId);
      metas.set(release.deploymentId, meta);
    }
    return { ...release, meta };
  };

  // Counted here for /metrics, and added to the app's row every second for the API (every API process adds its own).
  const counts = new Map<string, { requests: number; errors: number }>();
  const flush = async () => {
    const batch = [...counts];
    counts.clear();
    for (const [slug, c] of batch) await repo.addRequests(slug, c.requests, c.errors).catch(() => undefined);
  };
  const flusher = setInterval(() => void flush(), FLUSH_MS);
  app.addHook('onClose', async () => {
    clearInterval(flusher);
    await flush();
  });
  app.addHook('onResponse', async (request, reply) => {
    const slug = (request.params as { slug?: string }).slug;
    if (!slug) return;
    appRequests.inc({ slug, status: `${Math.floor(reply.statusCode / 100)}xx` });
    const c = counts.get(slug) ?? { requests: 0, errors: 0 };
    c.requests++;
    if (reply.statusCode >= 500) c.errors++;
    counts.set(slug, c);
  });
  const schema = { hide: true };
  app.all<{ Params: { slug: string } }>('/apps/:slug', { schema }, async (request, reply) => reply.redirect(`/apps/${request.params.slug}/`));
  app.all<{ Params: { slug: string; '*': string } }>('/apps/:slug/*', { schema }, async (request, reply) => {
    const release = await live(request);
    if (release.meta.kind === 'static') {
      if (request.method !== 'GET' && request.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', 'a static site answers GET and HEAD only');
      const root = path.join(paths.app(release.deploymentId), release.meta.root);
      const file = request.params['*'] === '' || request.params['*'].endsWith('/') ? `${request.params['*']}index.html` : request.params['*'];
      return reply.sendFile(file, root);
    }
    return reply.from(`http://${release.deploymentId}${request.url}`, {
      rewriteRequestHeaders: (_req, headers) => ({ ...headers, authorization: undefined, 'x-forwarded-prefix': `/apps/${request.params.slug}` }),
      onError: (r) => void r.status(502).send({ error: { code: 'bad_gateway', message: 'the app did not answer' } }),
    });
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { ModuleContext } from '../module.ts';
import { verifyAccessToken } from '../auth/tokens.ts';
import { readCookie } from './cookies.ts';
import { errorResponses, HttpError } from './errors.ts';

/** The cookie identity sets for the dashboard (a copy of the access token, Path=/admin/queues). */
const QUEUES_COOKIE = 'aula_queues';
/** A process silent for longer than three heartbeats (15 s each) is reported as not answering. */
const SILENT_AFTER_SECONDS = 45;

const processSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    role: { type: 'string' },
    modules: { type: 'array', items: { type: 'string' } },
    queues: { type: 'array', items: { type: 'string' } },
    host: { type: 'string' },
    pid: { type: 'integer' },
    startedAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time' },
    stoppedAt: { type: 'string', format: 'date-time', nullable: true },
    health: { type: 'string', enum: ['alive', 'silent', 'stopped'] },
  },
} as const;

/** `GET /api/admin/processes` (what runs where, and its health) and the BullMQ dashboard at `/admin/queues`; admins only. */
export async function registerAdminRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get(
    '/api/admin/processes',
    {
      onRequest: ctx.auth.requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'Registered processes: running ones and those stopped in the last hour',
        security: [{ bearer: [] }],
        response: { 200: { type: 'object', properties: { data: { type: 'array', items: processSchema } } }, ...errorResponses(401, 403) },
      },
    },
    async () => {
      const { rows } = await ctx.pool.query(
        `SELECT id, role, modules, queues, host, pid, started_at AS "startedAt", last_seen_at AS "lastSeenAt", stopped_at AS "stoppedAt",
         CASE WHEN stopped_at IS NOT NULL THEN 'stopped' WHEN last_seen_at < now() - make_interval(secs => $1) THEN 'silent' ELSE 'alive' END AS health
       FROM platform.processes WHERE stopped_at IS NULL OR stopped_at > now() - interval '1 hour'
       ORDER BY stopped_at IS NOT NULL, started_at DESC LIMIT 500`,
        [SILENT_AFTER_SECONDS],
      );
      return { data: rows };
    },
  );

  // A browser opens the dashboard by link, so it cannot send a Bearer header: the session's cookie stands in.
  const adminOnly = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const token = (typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined) ?? readCookie(request, QUEUES_COOKIE);
    const user = token ? await verifyAccessToken(token, ctx.jwtSecret) : 'invalid';
    if (typeof user === 'string') {
      if (request.method === 'GET' && request.headers.accept?.includes('text/html')) return reply.redirect('/login');
      throw new HttpError(401, 'unauthorized', 'log in as an admin to see the queues');
    }
    if (user.role !== 'admin') throw new HttpError(403, 'forbidden', 'the queue dashboard is for admins');
  };

  const board = new FastifyAdapter();
  type BoardQueue = ConstructorParameters<typeof BullMQAdapter>[0];
  createBullBoard({
    // bull-board's types name the Redis backend; the queue API it calls is the same on BullMQ's PostgreSQL backend.
    queues: ctx.queues.catalog.names().map((name) => new BullMQAdapter(ctx.queues.queue(name) as unknown as BoardQueue)),
    serverAdapter: board,
  });
  board.setBasePath('/admin/queues');
  await app.register(async (scope) => {
    scope.addHook('onRequest', adminOnly);
    await scope.register(board.registerPlugin(), { prefix: '/admin/queues' });
  });
}

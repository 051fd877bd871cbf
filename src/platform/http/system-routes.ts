import type { FastifyInstance } from 'fastify';
import { registry } from '../metrics.ts';

/** One dependency that must answer before the process is ready. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

const statusSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    checks: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** `/health`, `/ready`, `/metrics` and `/openapi.json` (`/` belongs to the web module). */
export function registerSystemRoutes(app: FastifyInstance, checks: ReadinessCheck[], liveness: ReadinessCheck[] = []): void {
  const hide = { hide: true };

  app.get(
    '/health',
    {
      schema: {
        tags: ['system'],
        summary: 'The process is alive and its own parts (an embedded PostgreSQL) run',
        response: { 200: statusSchema, 503: statusSchema },
      },
    },
    async (_request, reply) => {
      const failing: Record<string, string> = {};
      for (const { name, check } of liveness) {
        await check().catch((error: unknown) => (failing[name] = error instanceof Error ? error.message : String(error)));
      }
      if (Object.keys(failing).length > 0) return reply.status(503).send({ status: 'failing', checks: failing });
      return { status: 'ok' };
    },
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['system'],
        summary: 'Database and queue answer and migrations are done',
        response: { 200: statusSchema, 503: statusSchema },
      },
    },
    async (_request, reply) => {
      const results: Record<string, string> = {};
      let ready = true;
      await Promise.all(
        checks.map(async ({ name, check }) => {
          try {
            await withTimeout(check(), 2000);
            results[name] = 'ok';
          } catch (error) {
            ready = false;
            results[name] = 'failing';
            app.log.warn({ check: name, err: error instanceof Error ? error.message : String(error) }, 'readiness check failed');
          }
        }),
      );
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
    },
  );

  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics' } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  app.get('/openapi.json', { schema: hide }, async () => app.swagger());
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

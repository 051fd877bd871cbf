import type { FastifyInstance } from 'fastify';
import { errorResponses } from '../../platform/http/errors.ts';
import type { ModuleContext } from '../../platform/module.ts';
import { readClusterState } from './state.ts';

const instanceSchema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    role: { type: 'string', enum: ['api', 'worker'] },
    pid: { type: 'integer', nullable: true },
    port: { type: 'integer', nullable: true },
    state: { type: 'string' },
    lastPingAt: { type: 'string', format: 'date-time', nullable: true },
    restarts: { type: 'integer' },
    detections: { type: 'integer' },
    lastDetectionMs: { type: 'integer', nullable: true },
  },
} as const;

/** `GET /api/admin/cluster`: what the `aula cluster` supervisor of this data directory runs, for admins. */
export async function registerClusterRoutes(app: FastifyInstance, ctx: ModuleContext): Promise<void> {
  app.get(
    '/api/admin/cluster',
    {
      onRequest: ctx.auth.requireRole('admin'),
      schema: {
        tags: ['cluster'],
        summary: 'Instances of `aula cluster`: state, last ping, restarts; `cluster: false` outside cluster mode',
        security: [{ bearer: [] }],
        response: {
          200: {
            type: 'object',
            properties: {
              cluster: { type: 'boolean' },
              startedAt: { type: 'string', format: 'date-time' },
              instances: { type: 'array', items: instanceSchema },
            },
          },
          ...errorResponses(401, 403),
        },
      },
    },
    async () => {
      const state = readClusterState(ctx.config.dataDir);
      if (!state) return { cluster: false, instances: [] };
      return {
        cluster: true,
        startedAt: state.startedAt,
        instances: state.instances.map((i) => ({
          ...i,
          pid: i.pid ?? null,
          port: i.port ?? null,
          lastPingAt: i.lastPingAt ?? null,
          lastDetectionMs: i.lastDetectionMs ?? null,
        })),
      };
    },
  );
}

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { AuthGuards } from '../../platform/auth/guards.ts';
import { errorResponses } from '../../platform/http/errors.ts';
import { idempotencyKeyOf, requestFingerprint } from '../../platform/http/idempotency.ts';
import * as S from './schemas.ts';
import type { DeployService } from './service.ts';

const tags = ['deploy'];
const security = [{ bearer: [] }];
const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;

/** The deploy HTTP API: each route parses, calls the service, and sends what it returns. */
export function registerDeployRoutes(scope: FastifyInstance, auth: AuthGuards, s: DeployService, fingerprintSecret: Uint8Array): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', auth.authenticate);
  // Open log streams end when the server closes, so the close does not wait for their clients.
  const streams = new Set<() => void>();
  app.addHook('preClose', async () => {
    for (const end of streams) end();
  });
  const doc = (summary: string) => ({ tags, summary, security });

  app.post(
    '/api/projects/:id/deployments',
    {
      schema: {
        ...doc("Deploy the project's repository (a ref, or the default branch); the team. A retry with the same Idempotency-Key gets the same deployment"),
        params: S.IdParams,
        body: S.DeployBody,
        response: { 201: S.Deployment, ...errorResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const key = idempotencyKeyOf(request);
      const claim = key && {
        caller: request.user!.id,
        route: 'POST /api/projects/:id/deployments',
        key,
        fingerprint: requestFingerprint(fingerprintSecret, { id: request.params.id, ...request.body }),
      };
      return reply.status(201).send(await s.deploy(request.user!, request.params.id, request.body?.ref, claim || undefined));
    },
  );
  app.get(
    '/api/projects/:id/deployments',
    {
      schema: {
        ...doc("The app and its deployments, newest first (the team, the course's teacher, admins)"),
        params: S.IdParams,
        querystring: S.ListQuery,
        response: { 200: S.DeploymentList, ...errorResponses(400, 401, 404) },
      },
    },
    async (request) => s.list(request.user!, request.params.id, request.query.max),
  );
  app.post(
    '/api/projects/:id/rollback',
    {
      schema: {
        ...doc('Deploy one of the last kept releases again, pinned to its commit'),
        params: S.IdParams,
        body: S.RollbackBody,
        response: { 201: S.Deployment, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => reply.status(201).send(await s.rollback(request.user!, request.params.id, request.body.deploymentId)),
  );
  app.post(
    '/api/projects/:id/app/:action',
    {
      schema: {
        ...doc('Stop, start or restart the app (staff may stop)'),
        params: S.ControlParams,
        response: { 200: S.App, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => s.control(request.user!, request.params.id, request.params.action),
  );

  app.get(
    '/api/deployments/:id',
    { schema: { ...doc('One deployment: state, progress, commit, reason'), params: S.IdParams, response: { 200: S.Deployment, ...errorResponses(401, 404) } } },
    async (request) => s.get(request.user!, request.params.id),
  );
  app.post(
    '/api/deployments/:id/cancel',
    {
      schema: {
        ...doc('Cancel a deployment that has not finished; a running build stops at once'),
        params: S.IdParams,
        response: { 200: S.Deployment, ...errorResponses(401, 404, 409) },
      },
    },
    async (request) => s.cancel(request.user!, request.params.id),
  );
  app.get(
    '/api/deployments/:id/logs',
    {
      schema: {
        ...doc('Build and app log lines after ?since= (secret values masked); with Accept: text/event-stream, a live stream of lines and state'),
        params: S.IdParams,
        querystring: S.LogsQuery,
        response: { 200: S.Logs, ...errorResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const first = await s.logs(request.user!, request.params.id, request.query.since, request.query.max);
      if (!(request.headers.accept ?? '').includes('text/event-stream')) return first;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-request-id': request.id,
        'x-content-type-options': 'nosniff',
      });
      let since = request.query.since;
      let state = '';
      const send = (page: typeof first) => {
        for (const line of page.data) res.write(`id: ${line.seq}\nevent: log\ndata: ${JSON.stringify(line)}\n\n`);
        since = page.data.at(-1)?.seq ?? since;
        const now = `${page.deployment.state}:${page.deployment.progress}`;
        if (now !== state) res.write(`event: state\ndata: ${JSON.stringify(page.deployment)}\n\n`);
        state = now;
      };
      send(first);
      let closed = false;
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      const end = () => {
        closed = true;
        clearInterval(heartbeat);
      };
      streams.add(end);
      request.raw.on('close', end);
      while (!closed) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        if (closed) break;
        try {
          send(await s.logs(request.user!, request.params.id, since, request.query.max));
        } catch {
          break;
        }
      }
      end();
      streams.delete(end);
      res.end();
    },
  );
}

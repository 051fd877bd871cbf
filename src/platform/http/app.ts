import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '../logger.ts';
import { httpDuration } from '../metrics.ts';
import { installErrorHandlers } from './errors.ts';
import { clientErrorHandler, frameworkErrorHandler } from './client-errors.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { decorateUser } from '../auth/guards.ts';
import { requestIdFor } from './request-id.ts';
import { runWithRequestId } from '../request-context.ts';
import { nulCharacterPath } from '../validation.ts';
import { HttpError } from './errors.ts';
import { registerSystemRoutes, type ReadinessCheck } from './system-routes.ts';

/** What the HTTP layer needs from the process. */
export interface AppOptions {
  log: Logger;
  readiness: ReadinessCheck[];
  /** Checks /health runs: parts of this process itself (an embedded database), never outside services. */
  liveness?: ReadinessCheck[];
  /** Registers each module's routes; called inside the app before it is ready. */
  register?: (app: FastifyInstance) => Promise<void>;
  trustProxy?: boolean | string;
  bodyLimitBytes?: number;
  /** Longest time to receive a whole request, body included; slower or unfinished ones get 408. */
  requestTimeoutMs?: number;
}

/** Builds the Fastify app: error format, request ids, metrics, OpenAPI, system and module routes. */
export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log,
    genReqId: requestIdFor,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: opts.bodyLimitBytes ?? 1024 * 1024,
    requestTimeout: opts.requestTimeoutMs ?? 600_000,
    // Node checks for expired requests on this interval; a quarter of the timeout keeps the overshoot small.
    http: { connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor((opts.requestTimeoutMs ?? 600_000) / 4))) },
    clientErrorHandler,
    frameworkErrors: frameworkErrorHandler,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
  }) as unknown as FastifyInstance; // with loggerInstance Fastify types the instance by pino's Logger; modules take the default FastifyInstance

  // Node only enforces the request timeout when the headers' own timeout is not longer.
  app.server.headersTimeout = Math.min(app.server.headersTimeout, app.server.requestTimeout);
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    // Everything the request runs (handlers, enqueues, outbox appends) can read its id.
    runWithRequestId(request.id, done);
  });
  // No text with a NUL byte gets past validation into any module (PostgreSQL refuses it with an error, i.e. a 500).
  app.addHook('preValidation', async (request) => {
    for (const [part, value] of [
      ['query', request.query],
      ['params', request.params],
      ['body', request.body],
    ] as const) {
      const at = nulCharacterPath(value);
      if (at !== undefined)
        throw new HttpError(400, 'validation_failed', 'the request is invalid', [{ field: at || part, message: 'must not contain NUL characters' }]);
    }
  });
  // close() closes the keep-alive connections that are idle when it starts; one whose response ends later (a file
  // stream still reading its end after the client has every byte) would hold close() for the keep-alive timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onResponse', async (request, reply) => {
    if (closing) app.server.closeIdleConnections();
    httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  installErrorHandlers(app);
  decorateUser(app);

  await registerSecurityHeaders(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Aula API', version: '0.1.0', description: 'Self-hosted platform for university courses' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          serviceToken: { type: 'apiKey', in: 'header', name: 'X-Service-Token' },
        },
      },
    },
  });
  // No validator badge: it would load an image from validator.swagger.io, which the CSP refuses.
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { validatorUrl: null } });

  registerSystemRoutes(app, opts.readiness, opts.liveness);
  if (opts.register) await opts.register(app);
  await app.ready();
  return app;
}

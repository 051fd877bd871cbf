import type { FastifyError, FastifyInstance } from 'fastify';

/** The one error body every route returns. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** JSON schema of ErrorBody, for route responses in the OpenAPI document. */
export const errorBodySchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
} as const;

/** Error responses for a route's OpenAPI schema, one per status code. */
export const errorResponses = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, errorBodySchema]));

/** An error meant for the client: its status, code, message and details are sent as they are. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  408: 'request_timeout',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  431: 'headers_too_large',
};

// A full disk or an exhausted quota: the server cannot keep what was sent, so nothing is kept.
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/** Installs the error and not-found handlers that produce ErrorBody and never leak internals. */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    // An error before the body was fully received leaves its rest unread on the connection:
    // the next request there would never be parsed, so the connection ends with this answer.
    if (!request.raw.complete) reply.header('connection', 'close');
    if (error instanceof HttpError) {
      return reply.status(error.statusCode).send(body(error.code, error.message, error.details));
    }
    if (error.validation) {
      const details = error.validation.map((v) => ({
        field: fieldOf(v.instancePath, v.params, error.validationContext),
        message: v.message ?? 'is invalid',
      }));
      return reply.status(400).send(body('validation_failed', 'the request is invalid', details));
    }
    if (NO_SPACE.has((error as { code?: string }).code ?? '')) {
      request.log.error({ err: error }, 'storage is full');
      return reply.status(507).send(body('insufficient_storage', 'the server has no room to store this right now; nothing was kept, try again later'));
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status < 500) {
      return reply.status(status).send(body(CODE_BY_STATUS[status] ?? 'bad_request', clientMessage(error)));
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.status(500).send(body('internal_error', 'something went wrong on our side'));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(body('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`)));
}

/** The one error body, for handlers outside Fastify's error path. */
export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return body(code, message, details);
}

function body(code: string, message: string, details?: unknown): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

function fieldOf(instancePath: string, params: Record<string, unknown>, context: string | undefined): string {
  const missing = typeof params.missingProperty === 'string' ? `/${params.missingProperty}` : '';
  const extra = typeof params.additionalProperty === 'string' ? `/${params.additionalProperty}` : '';
  const pointer = `${instancePath}${missing}${extra}`.replace(/^\//, '').replaceAll('/', '.');
  return pointer || (context ?? 'body');
}

// Fastify's own 4xx messages (bad JSON, wrong content type, body too large) are safe to show.
function clientMessage(error: FastifyError): string {
  return error.code?.startsWith('FST_') ? error.message : 'the request could not be processed';
}

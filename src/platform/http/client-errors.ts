import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './errors.ts';

/** A socket-level error from Node's HTTP parser or its request timeout. */
type ConnectionError = Error & { code?: string };

const SOCKET_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'the request was not received in time'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'the request line or headers are too large'],
};

/**
 * Answers errors that Node's HTTP server meets before Fastify sees a request
 * (headers too large, body not received within the request timeout, unparsable
 * requests) in the one error format, then closes the connection.
 */
export function clientErrorHandler(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = SOCKET_ERRORS[error.code ?? ''] ?? [400, 'bad_request', 'the request could not be parsed'];
  // Like Node's own handler: never write into the middle of a response already on its way.
  const inFlight = (socket as Socket & { _httpMessage?: http.ServerResponse })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const body = JSON.stringify(errorBody(code, message));
    socket.write(
      `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** The answer to a URL part longer than the router's maxParamLength. */
export const URI_TOO_LONG: [number, string, string] = [414, 'uri_too_long', 'a part of the URL is too long'];

const FRAMEWORK_ERRORS: Record<string, [number, string, string]> = {
  FST_ERR_MAX_PARAM_LENGTH: URI_TOO_LONG,
  FST_ERR_BAD_URL: [400, 'bad_request', 'the URL is not valid'],
};

/** Fastify's router errors (URL parameter too long, malformed URL) in the one error format. */
export function frameworkErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, code, message] = FRAMEWORK_ERRORS[error.code] ?? [400, 'bad_request', 'the request could not be routed'];
  void reply.status(status).header('x-content-type-options', 'nosniff').send(errorBody(code, message));
}

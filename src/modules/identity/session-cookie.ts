import type { FastifyReply, FastifyRequest } from 'fastify';
import type { SessionTokens } from './sessions.ts';

/** Cookie holding the refresh token; sent only to the session routes. */
export const REFRESH_COOKIE = 'aula_refresh';
/** Cookie holding a copy of the access token, sent only to the queue dashboard (which a browser opens by link). */
export const QUEUES_COOKIE = 'aula_queues';

/** True when the client asked to keep the refresh token in the httpOnly cookie (`X-Aula-Session: cookie`). */
export function wantsCookie(request: FastifyRequest): boolean {
  return request.headers['x-aula-session'] === 'cookie';
}

function cookie(request: FastifyRequest, name: string, value: string, path: string, maxAgeSeconds: number): string {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `${name}=${encodeURIComponent(value)}; Path=${path}; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

/** Puts the session in cookies and returns the body without the refresh token. */
export function setSessionCookies(
  request: FastifyRequest,
  reply: FastifyReply,
  tokens: SessionTokens,
  refreshTtlDays: number,
): Omit<SessionTokens, 'refreshToken'> {
  reply.header('set-cookie', [
    cookie(request, REFRESH_COOKIE, tokens.refreshToken, '/api/auth', refreshTtlDays * 86_400),
    cookie(request, QUEUES_COOKIE, tokens.token, '/admin/queues', tokens.expiresIn),
  ]);
  const { refreshToken: _kept, ...rest } = tokens;
  return rest;
}

/** Removes both session cookies. */
export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', [cookie(request, REFRESH_COOKIE, '', '/api/auth', 0), cookie(request, QUEUES_COOKIE, '', '/admin/queues', 0)]);
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../http/errors.ts';
import { verifyAccessToken, type AuthUser, type Role } from './tokens.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once `authenticate` has run. */
    user: AuthUser | null;
  }
}

/** A Fastify preHandler. */
export type Guard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** The guards every module puts in front of its routes. */
export interface AuthGuards {
  /** Requires a valid Bearer access token and sets `request.user`. */
  authenticate: Guard;
  /** Requires a valid token whose role is one of `roles` (403 otherwise). */
  requireRole: (...roles: Role[]) => Guard;
}

/** Gives every request a `user` slot (null until a guard has run). */
export function decorateUser(app: FastifyInstance): void {
  app.decorateRequest('user', null);
}

/** Builds the guards over the JWT secret. */
export function createGuards(secret: Uint8Array): AuthGuards {
  const authenticate: Guard = async (request) => {
    const header = request.headers.authorization;
    // The scheme name is case-insensitive (RFC 7235 §2.1): `bearer` is as good as `Bearer`.
    const match = typeof header === 'string' ? /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header) : null;
    if (!match) throw new HttpError(401, 'unauthorized', 'a Bearer token is required');
    const result = await verifyAccessToken(match[1]!, secret);
    if (result === 'expired') throw new HttpError(401, 'token_expired', 'the access token has expired');
    if (result === 'invalid') throw new HttpError(401, 'unauthorized', 'the access token is not valid');
    request.user = result;
  };
  const requireRole =
    (...roles: Role[]): Guard =>
    async (request, reply) => {
      await authenticate(request, reply);
      if (!roles.includes(request.user!.role)) throw new HttpError(403, 'forbidden', `this needs the role ${roles.join(' or ')}`);
    };
  return { authenticate, requireRole };
}

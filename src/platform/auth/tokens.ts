import { errors, jwtVerify, SignJWT } from 'jose';
import { isUuid } from '../ids.ts';

/** The roles Aula knows, weakest first. */
export const ROLES = ['student', 'teacher', 'admin'] as const;
/** A user's role. */
export type Role = (typeof ROLES)[number];

/** Who made a request: set on `request.user` by the auth hook. */
export interface AuthUser {
  id: string;
  role: Role;
}

const ISSUER = 'aula';

/** Signs a short-lived HS256 access token for the user. */
export async function signAccessToken(user: AuthUser, secret: Uint8Array, ttlSeconds: number): Promise<string> {
  return new SignJWT({ role: user.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secret);
}

/** Why a token was refused. */
export type TokenProblem = 'expired' | 'invalid';

/**
 * Verifies an access token: HS256 only (so `alg: none` and others are refused), an
 * `exp` is required (a token without one would never expire), and `sub` must be a
 * user id (a UUID) — anything else is 'invalid', never an error further down.
 */
export async function verifyAccessToken(token: string, secret: Uint8Array): Promise<AuthUser | TokenProblem> {
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], issuer: ISSUER, requiredClaims: ['exp', 'sub'] });
    const role = payload.role;
    if (typeof payload.sub !== 'string' || !isUuid(payload.sub) || !ROLES.includes(role as Role)) return 'invalid';
    return { id: payload.sub, role: role as Role };
  } catch (error) {
    return error instanceof errors.JWTExpired ? 'expired' : 'invalid';
  }
}

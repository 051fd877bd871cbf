import { createHmac } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, type Kysely, type Transaction } from 'kysely';
import { HttpError } from './errors.ts';

/** How long a stored response answers retries; an older key is treated as new. */
export const IDEMPOTENCY_TTL_HOURS = 24;

const KEY = /^[\x21-\x7e]{1,200}$/;

/** The request's `Idempotency-Key` header (1–200 visible ASCII characters), undefined when absent; 400 when malformed. */
export function idempotencyKeyOf(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !KEY.test(raw)) {
    throw new HttpError(400, 'validation_failed', 'the Idempotency-Key header is invalid', [
      { field: 'Idempotency-Key', message: 'must be 1 to 200 visible ASCII characters' },
    ]);
  }
  return raw;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A keyed digest of a request body (keyed, so a stored digest reveals nothing about a password in it). */
export function requestFingerprint(secret: Uint8Array, body: unknown): string {
  return createHmac('sha256', secret)
    .update(stableJson(body ?? null))
    .digest('base64url');
}

/** Who sent the request, on which route, with which key, and a fingerprint of what they sent. */
export interface IdempotencyClaim {
  /** The caller's user id, or a constant such as `anonymous` for routes without one. */
  caller: string;
  /** Method and route pattern, e.g. `POST /api/auth/signup`. */
  route: string;
  key: string;
  fingerprint: string;
}

/** A response to store and send. */
export interface IdempotentResponse<T> {
  status: number;
  body: T;
}

/** The response, and whether it is the stored one of an earlier request. */
export interface IdempotentOutcome<T> extends IdempotentResponse<T> {
  replayed: boolean;
}

/**
 * Runs `effect` at most once per (caller, route, key). The key is claimed and the
 * response stored in the same transaction as the effect's writes, so a process
 * that dies midway leaves nothing (the retry runs it again) and a completed one
 * leaves both. A concurrent duplicate waits on the claim, then gets the stored
 * response. The same key with a different body is a 422. An effect that throws
 * stores nothing, so a retry runs it again.
 */
export async function runOnce<DB, T>(
  db: Kysely<DB>,
  claim: IdempotencyClaim,
  effect: (tx: Transaction<DB>) => Promise<IdempotentResponse<T>>,
): Promise<IdempotentOutcome<T>> {
  return db.transaction().execute(async (tx) => {
    const { caller, route, key, fingerprint } = claim;
    await sql`DELETE FROM platform.idempotency_keys
              WHERE caller = ${caller} AND route = ${route} AND key = ${key}
                AND created_at < now() - make_interval(hours => ${IDEMPOTENCY_TTL_HOURS})`.execute(tx);
    // Blocks while another transaction holds the same key, until it commits or rolls back.
    const claimed = await sql`INSERT INTO platform.idempotency_keys (caller, route, key, fingerprint, status, body)
                              VALUES (${caller}, ${route}, ${key}, ${fingerprint}, 0, 'null')
                              ON CONFLICT DO NOTHING`.execute(tx);
    if (Number(claimed.numAffectedRows ?? 0) === 0) {
      const stored = await sql<{ fingerprint: string; status: number; body: T }>`
        SELECT fingerprint, status, body FROM platform.idempotency_keys
        WHERE caller = ${caller} AND route = ${route} AND key = ${key}`.execute(tx);
      const row = stored.rows[0];
      if (!row) throw new HttpError(409, 'idempotency_conflict', 'a request with this Idempotency-Key is in progress; retry');
      if (row.fingerprint !== fingerprint) {
        throw new HttpError(422, 'idempotency_key_reused', 'this Idempotency-Key was used for a different request');
      }
      return { status: row.status, body: row.body, replayed: true };
    }
    const response = await effect(tx);
    await sql`UPDATE platform.idempotency_keys SET status = ${response.status}, body = ${JSON.stringify(response.body)}::jsonb
              WHERE caller = ${caller} AND route = ${route} AND key = ${key}`.execute(tx);
    return { ...response, replayed: false };
  });
}

/** Sends an outcome; a replayed one carries `Idempotent-Replayed: true`. */
export function sendOutcome<T>(reply: FastifyReply, outcome: IdempotentOutcome<T>): FastifyReply {
  if (outcome.replayed) reply.header('idempotent-replayed', 'true');
  return reply.status(outcome.status).send(outcome.body);
}

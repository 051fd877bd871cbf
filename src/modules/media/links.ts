import { createHmac, timingSafeEqual } from 'node:crypto';

/** The downloadable files of a task. */
export type FileKind = 'original' | 'processed' | 'thumbnail';

function signature(secret: Uint8Array, taskId: string, kind: FileKind, expires: number): string {
  return createHmac('sha256', secret).update(`media:${taskId}:${kind}:${expires}`).digest('base64url');
}

/** A URL path with `expires` and `sig` that grants access to one file until it expires. */
export function signedPath(prefix: string, secret: Uint8Array, taskId: string, kind: FileKind, ttlSeconds: number, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + ttlSeconds;
  return `${prefix}/${taskId}/${kind}?expires=${expires}&sig=${signature(secret, taskId, kind, expires)}`;
}

/** Checks a signed link: the right signature and not yet expired. */
export function verifySignature(secret: Uint8Array, taskId: string, kind: FileKind, expires: string, sig: string, now = Date.now()): boolean {
  const at = Number(expires);
  if (!Number.isInteger(at) || at < Math.floor(now / 1000)) return false;
  const expected = Buffer.from(signature(secret, taskId, kind, at));
  const given = Buffer.from(sig);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

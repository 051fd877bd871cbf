const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Checks an e-mail address for a plausible shape; returns the problem, if any. */
export function emailProblem(email: unknown): string | undefined {
  if (typeof email !== 'string' || email.length === 0) return 'is required';
  return email.length <= 254 && EMAIL.test(email) ? undefined : 'must be a valid e-mail address';
}

/** Whether an ISO date or date-time lies in the years 1900–3000 (what the database and the calendar logic accept). */
export function isReasonableDate(value: string): boolean {
  const year = Number(value.slice(0, 4));
  return /^\d{4}-/.test(value) && year >= 1900 && year <= 3000 && !Number.isNaN(Date.parse(value));
}

/** Whether a number has at most two decimals (grades). */
export const hasTwoDecimals = (value: number): boolean => Math.abs(Math.round(value * 100) - value * 100) < 1e-6;

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Whether a string is an instant exactly as `Date#toISOString` writes it, in a year
 * PostgreSQL accepts (1 or later): no 31 February (which Date.parse rolls over into
 * March), no year 0000. Cursor decoders check their timestamps with it.
 */
export function isCanonicalInstant(value: string): boolean {
  if (!ISO_INSTANT.test(value) || value.startsWith('0000')) return false;
  const time = Date.parse(value);
  return !Number.isNaN(time) && new Date(time).toISOString() === value;
}

/** Where the first NUL character sits in a parsed query, params or body (PostgreSQL text cannot hold one), if anywhere. */
export function nulCharacterPath(value: unknown, path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object' || depth > 32) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = nulCharacterPath(item, at, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

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

import { HttpError } from '../../platform/http/errors.ts';
import type { PublicUser } from './db.ts';
import type { Identity } from './service.ts';
import { publicUser } from './users.ts';
import { parseSignup } from './validation.ts';

/** A username derived from an e-mail's local part, within the username rules. */
function usernameFrom(email: string): string {
  const base = (email.split('@')[0] ?? '').replace(/[^A-Za-z0-9._-]/g, '').slice(0, 32);
  return base.length >= 3 ? base : `admin-${base}`.slice(0, 32);
}

/**
 * Creates an admin account, or makes the existing account with that e-mail an
 * admin (its password is left as it is). The password must meet the sign-up rules.
 */
export async function createAdmin(
  identity: Identity,
  input: { email: string; password: string; username?: string },
): Promise<{ user: PublicUser; created: boolean }> {
  const existing = await identity.users.findByLogin({ email: input.email });
  if (existing) {
    const user = existing.role === 'admin' ? existing : await identity.users.changeRole(existing.id, 'admin');
    return { user: publicUser(user), created: false };
  }
  const username = input.username ?? usernameFrom(input.email);
  const parsed = parseSignup({ username, email: input.email, password: input.password, password2: input.password });
  if ('problems' in parsed) {
    throw new HttpError(400, 'validation_failed', parsed.problems.map((p) => `${p.field} ${p.message}`).join('; '));
  }
  const user = await identity.users.register({ ...parsed.value, role: 'admin' });
  return { user: publicUser(user), created: true };
}

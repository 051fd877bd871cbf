import { emailProblem } from '../../platform/validation.ts';

/** One failing field, as listed in a 400's `details`. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** A sign-up after its field aliases are resolved. */
export interface SignupInput {
  username: string;
  email: string;
  password: string;
}

const USERNAME = /^[A-Za-z0-9._-]{3,32}$/;

/** Checks a username against the rules: 3–32 letters, digits, `.`, `_`, `-`. */
export function usernameProblem(username: unknown): string | undefined {
  if (typeof username !== 'string' || username.length === 0) return 'is required';
  return USERNAME.test(username) ? undefined : 'must be 3 to 32 letters, digits, ".", "_" or "-"';
}

export { emailProblem };

/** Checks password strength, and that it is not the username or e-mail. */
export function passwordProblem(password: unknown, username?: unknown, email?: unknown): string | undefined {
  if (typeof password !== 'string' || password.length === 0) return 'is required';
  if (password.length < 8) return 'must be at least 8 characters';
  if (password.length > 256) return 'must be at most 256 characters';
  if (!/[A-Z]/.test(password) || !/[a-z]/.test(password) || !/[0-9]/.test(password)) {
    return 'must contain an upper-case letter, a lower-case letter and a digit';
  }
  const lowered = password.toLowerCase();
  if ((typeof username === 'string' && lowered === username.toLowerCase()) || (typeof email === 'string' && lowered === email.toLowerCase())) {
    return 'must not be the same as the username or e-mail';
  }
  return undefined;
}

/**
 * Reads a sign-up body in any of the accepted shapes — `password`/`password2`,
 * `password1`/`password2`, `password`/`password_2` — and lists every failing field.
 */
export function parseSignup(body: Record<string, unknown>): { value: SignupInput } | { problems: FieldProblem[] } {
  const passwordField = body.password === undefined && body.password1 !== undefined ? 'password1' : 'password';
  const confirmField = body.password2 !== undefined ? 'password2' : body.password_2 !== undefined ? 'password_2' : 'password2';
  const { username, email } = body;
  const password = body[passwordField];
  const confirmation = body[confirmField];
  const problems: FieldProblem[] = [];
  const add = (field: string, message: string | undefined) => message && problems.push({ field, message });
  add('username', usernameProblem(username));
  add('email', emailProblem(email));
  add(passwordField, passwordProblem(password, username, email));
  if (typeof confirmation !== 'string' || confirmation.length === 0) add(confirmField, 'is required');
  else if (typeof password === 'string' && confirmation !== password) add(confirmField, 'must equal the password');
  if (problems.length > 0) return { problems };
  return { value: { username: username as string, email: (email as string).trim(), password: password as string } };
}

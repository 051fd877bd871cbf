import { HttpError } from '../../platform/http/errors.ts';
import { runOnce, type IdempotencyClaim, type IdempotentOutcome } from '../../platform/http/idempotency.ts';
import { verifyPassword } from './passwords.ts';
import { accountKey } from './rate-limits.ts';
import type { Identity } from './service.ts';
import type { SessionTokens } from './sessions.ts';
import type { PublicUser } from './db.ts';
import { publicUser } from './users.ts';
import { emailProblem, parseSignup, usernameProblem, type FieldProblem, type SignupInput } from './validation.ts';

/** A log-in: a username or an e-mail, and the password. */
export interface LoginInput {
  username?: string | undefined;
  email?: string | undefined;
  password: string;
}

const badLogin = () => new HttpError(401, 'invalid_credentials', 'the username, e-mail or password is not correct');

function parsed(body: Record<string, unknown>): SignupInput {
  const result = parseSignup(body);
  if ('problems' in result) throw new HttpError(400, 'validation_failed', 'the sign-up is invalid', result.problems);
  return result.value;
}

/** The account rules behind the auth routes: sign-up, log-in, profile changes and promotions; testable without HTTP. */
export class AccountService {
  constructor(private readonly identity: Identity) {}

  /** Creates an account; with an Idempotency-Key claim a retry gets the first answer and creates nothing. */
  async signUp(body: Record<string, unknown>, idempotency?: IdempotencyClaim): Promise<IdempotentOutcome<PublicUser>> {
    const input = parsed(body);
    if (!idempotency) return { status: 201, body: publicUser(await this.identity.users.register(input)), replayed: false };
    const outcome = await runOnce(this.identity.db, idempotency, async (tx) => ({
      status: 201,
      body: publicUser(await this.identity.users.register(input, undefined, tx)),
    }));
    if (!outcome.replayed) await this.identity.notifyProjector('user.registered');
    return outcome;
  }

  /** Creates an account and its first session, which commit together: no account is left without the tokens asked for. */
  async signUpAndStart(body: Record<string, unknown>): Promise<{ user: PublicUser; tokens: SessionTokens }> {
    const input = parsed(body);
    let tokens: SessionTokens | undefined;
    const user = await this.identity.users.register(input, async (tx, created) => {
      tokens = await this.identity.sessions.start(created, tx);
    });
    return { user: publicUser(user), tokens: tokens! };
  }

  /** Checks the password and starts a session; `countAttempt` spends one try of the account's bucket (one per account, by whichever name). */
  async logIn(input: LoginInput, countAttempt: (accountKey: string) => Promise<void>): Promise<{ tokens: SessionTokens; user: PublicUser }> {
    if (input.username === undefined && input.email === undefined) {
      throw new HttpError(400, 'validation_failed', 'the log-in is invalid', [{ field: 'username', message: 'give a username or an e-mail' }]);
    }
    const login = { ...(input.username !== undefined ? { username: input.username } : {}), ...(input.email !== undefined ? { email: input.email } : {}) };
    const user = await this.identity.users.findByLogin(login);
    await countAttempt(accountKey(login, user?.id));
    if (!(await verifyPassword(user?.passwordHash, input.password)) || !user) throw badLogin();
    return { tokens: await this.identity.sessions.start(user), user: publicUser(user) };
  }

  async me(userId: string): Promise<PublicUser> {
    const user = await this.identity.users.byId(userId);
    if (!user) throw new HttpError(404, 'not_found', 'this account no longer exists');
    return publicUser(user);
  }

  /** Changes the caller's username and/or e-mail, each checked like at sign-up. */
  async changeProfile(userId: string, change: { username?: string | undefined; email?: string | undefined }): Promise<PublicUser> {
    const { username, email } = change;
    const problems: FieldProblem[] = [];
    const usernameIssue = username === undefined ? undefined : usernameProblem(username);
    const emailIssue = email === undefined ? undefined : emailProblem(email);
    if (usernameIssue) problems.push({ field: 'username', message: usernameIssue });
    if (emailIssue) problems.push({ field: 'email', message: emailIssue });
    if (problems.length > 0) throw new HttpError(400, 'validation_failed', 'the change is invalid', problems);
    return publicUser(await this.identity.users.changeProfile(userId, { ...(username ? { username } : {}), ...(email ? { email: email.trim() } : {}) }));
  }

  /** Makes the students with these e-mails teachers, all or none (admins and teachers stay as they are). */
  async promote(emails: string[]): Promise<{ promoted: PublicUser[]; unchanged: PublicUser[]; unknownEmails: string[] }> {
    const invalid = emails.flatMap((email, i) => {
      const problem = emailProblem(email);
      return problem ? [{ field: `emails.${i}`, message: problem }] : [];
    });
    if (invalid.length > 0) throw new HttpError(400, 'validation_failed', 'some e-mails are invalid', invalid);
    const found = await this.identity.users.byEmails(emails);
    const unknownEmails = [...new Set(emails.map((e) => e.trim()))].filter((email) => !found.get(email.toLowerCase()));
    const known = [...new Map([...found.values()].map((u) => [u.id, u])).values()];
    // One transaction: every student on the list becomes a teacher, or none does.
    const promotedUsers = await this.identity.users.promoteToTeachers(known.filter((u) => u.role === 'student').map((u) => u.id));
    const promotedIds = new Set(promotedUsers.map((u) => u.id));
    return { promoted: promotedUsers.map(publicUser), unchanged: known.filter((u) => !promotedIds.has(u.id)).map(publicUser), unknownEmails };
  }
}

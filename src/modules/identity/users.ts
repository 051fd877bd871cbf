import type { Kysely, Transaction } from 'kysely';
import { sql } from 'kysely';
import type { Role } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import type { IdentityDb, PublicUser, UserEvent } from './db.ts';
import { appendToOutbox } from '../../platform/outbox/outbox.ts';
import { hashPassword } from './passwords.ts';

/** Identity's job outbox (platform/outbox layout): projector wake-ups, one per transaction. */
export const IDENTITY_JOB_OUTBOX = 'identity.job_outbox';
const woken = new WeakSet<object>();

/** A user row from the command side, with its password hash. */
export interface StoredUser extends PublicUser {
  passwordHash: string;
}

const UNIQUE_FIELD: Record<string, 'username' | 'email'> = {
  users_username_unique: 'username',
  users_email_unique: 'email',
};

function conflictFrom(error: unknown): HttpError | undefined {
  const pgError = error as { code?: string; constraint?: string };
  if (pgError.code !== '23505' || !pgError.constraint) return undefined;
  const field = UNIQUE_FIELD[pgError.constraint];
  if (!field) return undefined;
  return new HttpError(409, 'conflict', `this ${field === 'email' ? 'e-mail' : 'username'} is already taken`, [{ field, message: 'is already taken' }]);
}

async function append(tx: Transaction<IdentityDb>, event: UserEvent): Promise<void> {
  // Held until commit, so outbox sequence numbers become visible in order and the
  // projector can never skip an event that commits after a later-numbered one.
  await sql`SELECT pg_advisory_xact_lock(hashtext('identity.outbox'))`.execute(tx);
  await tx
    .insertInto('identity.outbox')
    .values({ user_id: event.id, type: event.type, payload: JSON.stringify(event) })
    .execute();
  // The projector's wake-up commits with the event: even if the queue is down now, the relay delivers it later.
  if (!woken.has(tx)) {
    woken.add(tx);
    await appendToOutbox(tx, IDENTITY_JOB_OUTBOX, 'identity.project', 'project', { reason: event.type });
  }
}

const columns = ['id', 'username', 'email', 'role', 'password_hash'] as const;
const toUser = (row: { id: string; username: string; email: string; role: Role; password_hash: string }): StoredUser => ({
  id: row.id,
  username: row.username,
  email: row.email,
  role: row.role,
  passwordHash: row.password_hash,
});

/** Public fields of a user. */
export const publicUser = ({ id, username, email, role }: StoredUser): PublicUser => ({ id, username, email, role });

/** The command side of identity: every write also appends its event to the outbox, in one transaction. */
export class UserCommands {
  constructor(private readonly db: Kysely<IdentityDb>) {}

  /**
   * Registers a user; 409 when the username or e-mail is taken (case-insensitive).
   * `within` runs in the same transaction (e.g. opening a session): all of it or none.
   * `tx`: an open transaction to write in instead of a new one (an Idempotency-Key claim).
   */
  async register(
    input: { username: string; email: string; password: string; role?: Role },
    within?: (tx: Transaction<IdentityDb>, user: StoredUser) => Promise<void>,
    tx?: Transaction<IdentityDb>,
  ): Promise<StoredUser> {
    const passwordHash = await hashPassword(input.password);
    const inTransaction = (work: (t: Transaction<IdentityDb>) => Promise<StoredUser>) => (tx ? work(tx) : this.db.transaction().execute(work));
    try {
      return await inTransaction(async (tx) => {
        const row = await tx
          .insertInto('identity.users')
          .values({ username: input.username, email: input.email, password_hash: passwordHash, role: input.role ?? 'student' })
          .returning([...columns, 'created_at'])
          .executeTakeFirstOrThrow();
        await append(tx, {
          type: 'user.registered',
          id: row.id,
          username: row.username,
          email: row.email,
          role: row.role,
          at: row.created_at.toISOString(),
        });
        const user = toUser(row);
        await within?.(tx, user);
        return user;
      });
    } catch (error) {
      throw conflictFrom(error) ?? error;
    }
  }

  /** Finds a user by username or e-mail, case-insensitively. */
  async findByLogin(login: { username?: string; email?: string }): Promise<StoredUser | undefined> {
    const [column, value] = login.email !== undefined ? (['email', login.email] as const) : (['username', login.username ?? ''] as const);
    const row = await this.db
      .selectFrom('identity.users')
      .select(columns)
      .where(sql<string>`lower(${sql.ref(column)})`, '=', value.trim().toLowerCase())
      .executeTakeFirst();
    return row && toUser(row);
  }

  /** Reads one user from the command side (always up to date). */
  async byId(id: string): Promise<StoredUser | undefined> {
    const row = await this.db.selectFrom('identity.users').select(columns).where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  /** Changes a role; refuses to demote the last admin. */
  async changeRole(id: string, role: Role): Promise<StoredUser> {
    return this.db.transaction().execute(async (tx) => {
      // Serialise role changes so two admins cannot demote each other at once.
      await sql`SELECT pg_advisory_xact_lock(hashtext('identity.roles'))`.execute(tx);
      const current = await tx.selectFrom('identity.users').select(columns).where('id', '=', id).executeTakeFirst();
      if (!current) throw new HttpError(404, 'not_found', 'no such user');
      if (current.role === role) return toUser(current);
      if (current.role === 'admin') {
        const { admins } = await tx
          .selectFrom('identity.users')
          .select((eb) => eb.fn.countAll<number>().as('admins'))
          .where('role', '=', 'admin')
          .executeTakeFirstOrThrow();
        if (Number(admins) <= 1) throw new HttpError(409, 'last_admin', 'the last admin cannot be demoted');
      }
      const row = await tx
        .updateTable('identity.users')
        .set({ role, updated_at: sql`now()` })
        .where('id', '=', id)
        .returning([...columns, 'updated_at'])
        .executeTakeFirstOrThrow();
      await append(tx, { type: 'user.role_changed', id, role, at: row.updated_at.toISOString() });
      return toUser(row);
    });
  }

  /**
   * Makes these users teachers if they are students, all in one transaction (all
   * or none, each with its outbox event); returns those promoted.
   */
  async promoteToTeachers(ids: string[]): Promise<StoredUser[]> {
    if (ids.length === 0) return [];
    return this.db.transaction().execute(async (tx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtext('identity.roles'))`.execute(tx);
      const rows = await tx
        .updateTable('identity.users')
        .set({ role: 'teacher', updated_at: sql`now()` })
        .where('id', 'in', ids)
        .where('role', '=', 'student')
        .returning([...columns, 'updated_at'])
        .execute();
      for (const row of rows) await append(tx, { type: 'user.role_changed', id: row.id, role: 'teacher', at: row.updated_at.toISOString() });
      return rows.map(toUser);
    });
  }

  /** Changes username and/or e-mail; 409 when taken. */
  async changeProfile(id: string, changes: { username?: string; email?: string }): Promise<StoredUser> {
    try {
      return await this.db.transaction().execute(async (tx) => {
        const row = await tx
          .updateTable('identity.users')
          .set({ ...changes, updated_at: sql`now()` })
          .where('id', '=', id)
          .returning([...columns, 'updated_at'])
          .executeTakeFirst();
        if (!row) throw new HttpError(404, 'not_found', 'no such user');
        await append(tx, { type: 'user.profile_changed', id, username: row.username, email: row.email, at: row.updated_at.toISOString() });
        return toUser(row);
      });
    } catch (error) {
      throw conflictFrom(error) ?? error;
    }
  }

  /** Ids and roles of the users with these e-mails (case-insensitive), keyed by lower-cased e-mail. */
  async byEmails(emails: string[]): Promise<Map<string, StoredUser>> {
    if (emails.length === 0) return new Map();
    const rows = await this.db
      .selectFrom('identity.users')
      .select(columns)
      .where(
        sql<string>`lower(email)`,
        'in',
        emails.map((e) => e.trim().toLowerCase()),
      )
      .execute();
    return new Map(rows.map((row) => [row.email.toLowerCase(), toUser(row)]));
  }
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { signAccessToken } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import type { IdentityDb, PublicUser } from './db.ts';

/** What a successful log-in or refresh returns. */
export interface SessionTokens {
  token: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest();
const invalidRefresh = () => new HttpError(401, 'invalid_refresh_token', 'the refresh token is not valid');

/** Issues access and refresh tokens; rotates refresh tokens and revokes a family on reuse. */
export class Sessions {
  constructor(
    private readonly db: Kysely<IdentityDb>,
    private readonly secret: Uint8Array,
    private readonly accessTtlSeconds: number,
    private readonly refreshTtlDays: number,
  ) {}

  private async issue(db: Kysely<IdentityDb>, user: Pick<PublicUser, 'id' | 'role'>, familyId: string): Promise<SessionTokens> {
    const refreshToken = randomBytes(32).toString('base64url');
    await db
      .insertInto('identity.refresh_tokens')
      .values({
        user_id: user.id,
        family_id: familyId,
        token_hash: hashToken(refreshToken),
        expires_at: sql`now() + make_interval(days => ${this.refreshTtlDays})`,
      })
      .execute();
    return {
      token: await signAccessToken({ id: user.id, role: user.role }, this.secret, this.accessTtlSeconds),
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: this.accessTtlSeconds,
    };
  }

  /** Starts a new session (a new refresh-token family), inside `db` when it is a transaction. */
  start(user: Pick<PublicUser, 'id' | 'role'>, db: Kysely<IdentityDb> = this.db): Promise<SessionTokens> {
    return this.issue(db, user, randomUUID());
  }

  /**
   * Trades a refresh token for a new pair. A token already used once means it was
   * stolen or replayed: the whole family is revoked and the caller gets a 401.
   * The new access token carries the user's current role, read in the same transaction.
   */
  async rotate(refreshToken: string): Promise<SessionTokens> {
    const outcome = await this.db.transaction().execute(async (tx) => {
      const row = await tx
        .selectFrom('identity.refresh_tokens')
        .select(['id', 'user_id', 'family_id', 'used_at', 'revoked_at', sql<boolean>`expires_at < now()`.as('expired')])
        .where('token_hash', '=', hashToken(refreshToken))
        .forUpdate()
        .executeTakeFirst();
      if (!row || row.revoked_at || row.expired) return 'invalid' as const;
      if (row.used_at) {
        await tx
          .updateTable('identity.refresh_tokens')
          .set({ revoked_at: sql`now()` })
          .where('family_id', '=', row.family_id)
          .where('revoked_at', 'is', null)
          .execute();
        return 'reused' as const;
      }
      const role = (await tx.selectFrom('identity.users').select('role').where('id', '=', row.user_id).executeTakeFirst())?.role;
      if (!role) return 'invalid' as const;
      await tx.updateTable('identity.refresh_tokens').set({ used_at: sql`now()` }).where('id', '=', row.id).execute();
      return this.issue(tx, { id: row.user_id, role }, row.family_id);
    });
    if (outcome === 'invalid' || outcome === 'reused') throw invalidRefresh();
    return outcome;
  }

  /** Ends the session the refresh token belongs to (its whole family). Unknown tokens are ignored. */
  async revoke(refreshToken: string): Promise<void> {
    await this.db
      .updateTable('identity.refresh_tokens')
      .set({ revoked_at: sql`now()` })
      .where('family_id', '=', (eb) => eb.selectFrom('identity.refresh_tokens').select('family_id').where('token_hash', '=', hashToken(refreshToken)))
      .where('revoked_at', 'is', null)
      .execute();
  }
}

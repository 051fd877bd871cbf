import type { ModuleContext } from '../../platform/module.ts';
import type { PublicUser } from './db.ts';
import { createIdentity } from './service.ts';
import { publicUser } from './users.ts';
import { isUuid } from '../../platform/ids.ts';

/** What other modules may ask identity: users by e-mail or id (from the command side, always current). */
export interface UserLookup {
  /** Users with these e-mails, keyed by lower-cased e-mail. */
  byEmails(emails: string[]): Promise<Map<string, PublicUser>>;
  /** Users with these ids, keyed by id (unknown or malformed ids are simply absent). */
  byIds(ids: string[]): Promise<Map<string, PublicUser>>;
}

/** The typed interface identity exports to other modules; nothing else of identity crosses the boundary. */
export function userLookup(ctx: ModuleContext): UserLookup {
  const identity = createIdentity(ctx);
  return {
    async byEmails(emails) {
      const found = await identity.users.byEmails(emails);
      return new Map([...found].map(([email, user]) => [email, publicUser(user)]));
    },
    async byIds(ids) {
      const valid = [...new Set(ids.filter((id) => isUuid(id)))];
      if (valid.length === 0) return new Map();
      const rows = await identity.db.selectFrom('identity.users').select(['id', 'username', 'email', 'role']).where('id', 'in', valid).execute();
      return new Map(rows.map((row) => [row.id, row]));
    },
  };
}

import { sql, type Kysely } from 'kysely';
import type { IdentityDb, PublicUser } from './db.ts';

/** One page of the user directory. */
export interface DirectoryPage {
  data: PublicUser[];
  page: number;
  pageSize: number;
  total: number;
}

/** The query side: reads only the user_directory read model. */
export class UserDirectory {
  constructor(private readonly db: Kysely<IdentityDb>) {}

  /** Users whose username or e-mail contains `q` (case-insensitive), by username. */
  async search(q: string | undefined, page: number, pageSize: number): Promise<DirectoryPage> {
    let query = this.db.selectFrom('identity.user_directory');
    if (q) {
      const pattern = `%${q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      query = query.where((eb) => eb.or([eb(sql`lower(username)`, 'like', pattern), eb(sql`lower(email)`, 'like', pattern)]));
    }
    const [rows, count] = await Promise.all([
      query
        .select(['id', 'username', 'email', 'role'])
        .orderBy(sql`lower(username)`)
        .limit(pageSize)
        .offset((page - 1) * pageSize)
        .execute(),
      query.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow(),
    ]);
    return { data: rows, page, pageSize, total: Number(count.total) };
  }

  /** One user from the read model. */
  async byId(id: string): Promise<PublicUser | undefined> {
    return this.db.selectFrom('identity.user_directory').select(['id', 'username', 'email', 'role']).where('id', '=', id).executeTakeFirst();
  }
}

import { sql, type Kysely, type Transaction } from 'kysely';
import type { IdentityDb, UserEvent } from './db.ts';

const PROJECTION = 'user_directory';
const BATCH = 500;

async function apply(tx: Transaction<IdentityDb>, event: UserEvent): Promise<void> {
  switch (event.type) {
    case 'user.registered':
      await tx
        .insertInto('identity.user_directory')
        .values({ id: event.id, username: event.username, email: event.email, role: event.role, created_at: event.at, updated_at: event.at })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      return;
    case 'user.role_changed':
      await tx.updateTable('identity.user_directory').set({ role: event.role, updated_at: event.at }).where('id', '=', event.id).execute();
      return;
    case 'user.profile_changed':
      await tx
        .updateTable('identity.user_directory')
        .set({ username: event.username, email: event.email, updated_at: event.at })
        .where('id', '=', event.id)
        .execute();
      return;
  }
}

async function catchUp(tx: Transaction<IdentityDb>, from: number): Promise<number> {
  let last = from;
  for (;;) {
    const rows = await tx.selectFrom('identity.outbox').select(['seq', 'payload']).where('seq', '>', last).orderBy('seq').limit(BATCH).execute();
    for (const row of rows) await apply(tx, row.payload);
    if (rows.length === 0) break;
    last = rows[rows.length - 1]!.seq;
  }
  if (last !== from) await tx.updateTable('identity.projection_state').set({ last_seq: last }).where('name', '=', PROJECTION).execute();
  return last - from;
}

/**
 * Applies every outbox event the read model has not seen, in order, in one
 * transaction that holds the projection's row lock (so projectors never interleave).
 * Returns how many events were applied.
 */
export async function projectPending(db: Kysely<IdentityDb>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    const state = await tx.selectFrom('identity.projection_state').select('last_seq').where('name', '=', PROJECTION).forUpdate().executeTakeFirstOrThrow();
    return catchUp(tx, state.last_seq);
  });
}

/** Rebuilds the read model from the whole outbox, atomically; returns the events replayed. */
export async function rebuildReadModel(db: Kysely<IdentityDb>): Promise<number> {
  return db.transaction().execute(async (tx) => {
    await tx.selectFrom('identity.projection_state').select('last_seq').where('name', '=', PROJECTION).forUpdate().execute();
    await tx.deleteFrom('identity.user_directory').execute();
    return catchUp(tx, 0);
  });
}

/** How far the read model is behind the outbox: events, and age of the oldest unapplied one. */
export async function projectionLag(db: Kysely<IdentityDb>): Promise<{ events: number; seconds: number }> {
  const row = await sql<{ events: number; seconds: number }>`
    SELECT (SELECT coalesce(max(seq), 0) FROM identity.outbox) - s.last_seq AS events,
           coalesce(extract(epoch FROM now() - (SELECT min(created_at) FROM identity.outbox o WHERE o.seq > s.last_seq)), 0)::float8 AS seconds
    FROM identity.projection_state s WHERE s.name = ${PROJECTION}`.execute(db);
  const lag = row.rows[0];
  return { events: Number(lag?.events ?? 0), seconds: Number(lag?.seconds ?? 0) };
}

import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { createKysely } from './pool.ts';
import type { Logger } from '../logger.ts';

/** Key of the session advisory lock that serialises every Aula migration run. */
export const MIGRATION_LOCK_KEY = 0x41554c41; // "AULA"

/** A module's migrations: its PostgreSQL schema and a folder of `NNN_name.sql` files. */
export interface MigrationSource {
  schema: string;
  dir: string;
}

/** Reads a folder of SQL files; each file is one migration, applied in name order. */
class SqlFolderProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(this.dir)).filter((f) => f.endsWith('.sql')).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const text = await fs.readFile(path.join(this.dir, file), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
    return migrations;
  }
}

/**
 * Applies every pending migration of the given modules under one PostgreSQL
 * advisory lock, so any number of processes starting together migrate once.
 * `extra` runs inside the same lock (BullMQ's own migrations).
 */
export async function runMigrations(pool: pg.Pool, sources: MigrationSource[], log: Logger, extra?: (client: pg.PoolClient) => Promise<void>): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      const db = createKysely<unknown>(pool);
      for (const source of sources) {
        const migrator = new Migrator({
          db,
          provider: new SqlFolderProvider(source.dir),
          migrationTableSchema: source.schema,
        });
        const { error, results } = await migrator.migrateToLatest();
        for (const result of results ?? []) {
          log.info({ schema: source.schema, migration: result.migrationName, status: result.status }, 'migration');
        }
        if (error) throw new Error(`migration of schema ${source.schema} failed: ${(error as Error).message}`);
      }
      if (extra) await extra(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

/** How many of the given modules' migration files are not recorded as applied (0 when up to date). */
export async function pendingMigrations(pool: pg.Pool, sources: MigrationSource[]): Promise<number> {
  let pending = 0;
  for (const source of sources) {
    const files = (await fs.readdir(source.dir)).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, ''));
    const applied = await pool.query<{ name: string }>(`SELECT name FROM "${source.schema}".kysely_migration`);
    const names = new Set(applied.rows.map((row) => row.name));
    pending += files.filter((file) => !names.has(file)).length;
  }
  return pending;
}

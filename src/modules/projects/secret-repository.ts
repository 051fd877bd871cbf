import { sql, type Transaction } from 'kysely';
import type { EnvScope, ProjectsDb, ProjectsKysely } from './db.ts';

/** An environment variable as stored: its value sealed. */
export interface StoredEnvVar {
  key: string;
  scope: EnvScope;
  sealed: Buffer;
  keyId: string;
  hint: string;
  updatedAt: Date;
}

/** A project's database record. */
export interface DatabaseRecord {
  projectId: string;
  databaseName: string;
  roleName: string;
  sealedPassword: Buffer;
  keyId: string;
  state: 'creating' | 'ready' | 'dropping';
  createdAt: Date;
}

/** The queries on the env_vars and databases tables (the sealed secrets). */
export class SecretRepository {
  constructor(readonly db: ProjectsKysely) {}

  async envVars(projectId: string): Promise<StoredEnvVar[]> {
    return this.db
      .selectFrom('projects.env_vars')
      .select(['key', 'scope', 'sealed', 'key_id as keyId', 'hint', 'updated_at as updatedAt'])
      .where('project_id', '=', projectId)
      .orderBy('key')
      .execute();
  }

  /** Writes or replaces one variable; returns it as stored. */
  async putEnvVar(tx: Transaction<ProjectsDb>, projectId: string, v: Omit<StoredEnvVar, 'updatedAt'>): Promise<StoredEnvVar> {
    const values = { scope: v.scope, sealed: v.sealed, key_id: v.keyId, hint: v.hint };
    return tx
      .insertInto('projects.env_vars')
      .values({ project_id: projectId, key: v.key, ...values })
      .onConflict((oc) => oc.columns(['project_id', 'key']).doUpdateSet({ ...values, updated_at: sql<Date>`now()` }))
      .returning(['key', 'scope', 'sealed', 'key_id as keyId', 'hint', 'updated_at as updatedAt'])
      .executeTakeFirstOrThrow();
  }

  /** Removes one variable; false when there was none. */
  async deleteEnvVar(tx: Transaction<ProjectsDb>, projectId: string, key: string): Promise<boolean> {
    const result = await tx.deleteFrom('projects.env_vars').where('project_id', '=', projectId).where('key', '=', key).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async database(projectId: string): Promise<DatabaseRecord | undefined> {
    return this.db
      .selectFrom('projects.databases')
      .select([
        'project_id as projectId',
        'database_name as databaseName',
        'role_name as roleName',
        'sealed_password as sealedPassword',
        'key_id as keyId',
        'state',
        'created_at as createdAt',
      ])
      .where('project_id', '=', projectId)
      .executeTakeFirst();
  }

  /** Claims the project's database slot; false when it already has one (or one is being made). */
  async claimDatabase(r: Omit<DatabaseRecord, 'state' | 'createdAt'>): Promise<boolean> {
    const rows = await this.db
      .insertInto('projects.databases')
      .values({
        project_id: r.projectId,
        database_name: r.databaseName,
        role_name: r.roleName,
        sealed_password: r.sealedPassword,
        key_id: r.keyId,
        state: 'creating',
      })
      .onConflict((oc) => oc.column('project_id').doNothing())
      .returning('project_id')
      .execute();
    return rows.length === 1;
  }

  async setDatabaseState(projectId: string, state: DatabaseRecord['state'], from: DatabaseRecord['state']): Promise<boolean> {
    const result = await this.db
      .updateTable('projects.databases')
      .set({ state })
      .where('project_id', '=', projectId)
      .where('state', '=', from)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async forgetDatabase(projectId: string): Promise<void> {
    await this.db.deleteFrom('projects.databases').where('project_id', '=', projectId).execute();
  }

  /** Every sealed value not sealed under `currentKeyId`, locked for re-sealing in this transaction. */
  async staleSecrets(
    tx: Transaction<ProjectsDb>,
    currentKeyId: string,
  ): Promise<{
    env: Array<{ projectId: string; key: string; sealed: Buffer; keyId: string }>;
    databases: Array<{ projectId: string; sealed: Buffer; keyId: string }>;
  }> {
    const env = await tx
      .selectFrom('projects.env_vars')
      .select(['project_id as projectId', 'key', 'sealed', 'key_id as keyId'])
      .where('key_id', '<>', currentKeyId)
      .forUpdate()
      .execute();
    const databases = await tx
      .selectFrom('projects.databases')
      .select(['project_id as projectId', 'sealed_password as sealed', 'key_id as keyId'])
      .where('key_id', '<>', currentKeyId)
      .forUpdate()
      .execute();
    return { env, databases };
  }

  async resealEnvVar(tx: Transaction<ProjectsDb>, projectId: string, key: string, sealed: Buffer, keyId: string): Promise<void> {
    await tx.updateTable('projects.env_vars').set({ sealed, key_id: keyId }).where('project_id', '=', projectId).where('key', '=', key).execute();
  }

  async resealDatabasePassword(tx: Transaction<ProjectsDb>, projectId: string, sealed: Buffer, keyId: string): Promise<void> {
    await tx.updateTable('projects.databases').set({ sealed_password: sealed, key_id: keyId }).where('project_id', '=', projectId).execute();
  }
}

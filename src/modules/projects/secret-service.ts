import { randomBytes } from 'node:crypto';
import type { AuthUser } from '../../platform/auth/tokens.ts';
import { HttpError } from '../../platform/http/errors.ts';
import { allow, RULES } from './access.ts';
import type { EnvScope } from './db.ts';
import { change, visibleProject, type ProjectsDeps } from './deps.ts';
import { recordEvent } from './outbox.ts';
import { closeToPublic } from './provisioner.ts';
import { ENV_KEY } from './rules.ts';
import type { DatabaseRecord, StoredEnvVar } from './secret-repository.ts';
import { maskedHint } from './secrets.ts';

/** An environment variable as the API shows it: never its value. */
export interface EnvVarView {
  key: string;
  scope: EnvScope;
  hint: string;
  updatedAt: string;
}

/** A project database as the API shows it; `url` (with the password) only for the team. */
export interface DatabaseView {
  databaseName: string;
  roleName: string;
  state: DatabaseRecord['state'];
  createdAt: string;
  url?: string;
}

// Values are bound to their project and name, so a sealed value copied to another row does not open.
const envContext = (projectId: string, key: string) => `env:${projectId}:${key}`;
const dbContext = (projectId: string) => `db:${projectId}`;
const STALE_CREATE_MS = 5 * 60_000;
const envView = (v: StoredEnvVar): EnvVarView => ({ key: v.key, scope: v.scope, hint: v.hint, updatedAt: v.updatedAt.toISOString() });
const badKey = () => new HttpError(400, 'validation_failed', 'the request is invalid', [{ field: 'key', message: 'must match ^[A-Z_][A-Z0-9_]*$' }]);

/** Encrypted environment variables and the project's own PostgreSQL database. */
export class SecretService {
  constructor(private readonly deps: ProjectsDeps) {}

  /** The variables' names, scopes and masked hints. */
  async listEnv(caller: AuthUser, id: string): Promise<EnvVarView[]> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.readEnv, 'reading environment variables');
    return (await this.deps.secrets.envVars(project.id)).map(envView);
  }

  /** Sets one variable, sealing its value; emits project.env.changed. */
  async putEnv(caller: AuthUser, id: string, key: string, input: { value: string; scope: EnvScope }): Promise<EnvVarView> {
    if (!ENV_KEY.test(key) || key.length > 128) throw badKey();
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.writeEnv, 'setting environment variables');
    const { sealed, keyId } = this.deps.keyring.seal(input.value, envContext(project.id, key));
    const stored = await change(this.deps, async (tx) => {
      const row = await this.deps.secrets.putEnvVar(tx, project.id, { key, scope: input.scope, sealed, keyId, hint: maskedHint(input.value) });
      await recordEvent(tx, 'project.env.changed', project.id);
      return row;
    });
    return envView(stored);
  }

  /** Removes one variable. */
  async deleteEnv(caller: AuthUser, id: string, key: string): Promise<void> {
    if (!ENV_KEY.test(key)) throw badKey();
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.writeEnv, 'removing environment variables');
    const found = await change(this.deps, async (tx) => {
      const ok = await this.deps.secrets.deleteEnvVar(tx, project.id, key);
      if (ok) await recordEvent(tx, 'project.env.changed', project.id);
      return ok;
    });
    if (!found) throw new HttpError(404, 'not_found', 'no such variable');
  }

  /** The decrypted variables of a project, for the deploy module (never for the API). */
  async envValues(projectId: string): Promise<Array<{ key: string; scope: EnvScope; value: string }>> {
    return (await this.deps.secrets.envVars(projectId)).map((v) => ({
      key: v.key,
      scope: v.scope,
      value: this.deps.keyring.open(v.sealed, v.keyId, envContext(projectId, v.key)),
    }));
  }

  /** The connection URL of the project's database when it is ready, for the deploy module (never for the API). */
  async databaseUrlOf(projectId: string): Promise<string | undefined> {
    const record = await this.deps.secrets.database(projectId);
    if (record?.state !== 'ready') return undefined;
    const password = this.deps.keyring.open(record.sealedPassword, record.keyId, dbContext(projectId));
    return this.deps.provisioner.connectionUrl({ databaseName: record.databaseName, roleName: record.roleName, password });
  }

  /** Creates the project's database and login role; 409 when it has one. */
  async createDatabase(caller: AuthUser, id: string): Promise<DatabaseView> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.databaseUrl, 'creating the database');
    if (!(await closeToPublic(this.deps.aulaPool))) {
      this.deps.log.error("Aula's database is open to every role (PUBLIC has CONNECT) and could not be closed; refusing to create project databases");
      throw new HttpError(503, 'unavailable', 'project databases are not available on this installation');
    }
    const name = `aula_${project.slug.replaceAll('-', '_')}_${randomBytes(4).toString('hex')}`;
    const password = randomBytes(24).toString('base64url');
    const { sealed, keyId } = this.deps.keyring.seal(password, dbContext(project.id));
    const claimed = await this.deps.secrets.claimDatabase({ projectId: project.id, databaseName: name, roleName: name, sealedPassword: sealed, keyId });
    if (!claimed) throw new HttpError(409, 'conflict', 'the project already has a database');
    try {
      await this.deps.provisioner.create({ databaseName: name, roleName: name, password });
    } catch (error) {
      await this.deps.secrets.forgetDatabase(project.id);
      this.deps.log.error({ projectId: project.id, err: error instanceof Error ? error.message : String(error) }, 'creating a project database failed');
      throw new HttpError(502, 'database_unavailable', 'the project database could not be created');
    }
    await this.deps.secrets.setDatabaseState(project.id, 'ready', 'creating');
    return this.getDatabase(caller, id);
  }

  /** The database's names and, for the team, its connection URL. */
  async getDatabase(caller: AuthUser, id: string): Promise<DatabaseView> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.readDatabase, 'reading the database');
    const record = await this.deps.secrets.database(project.id);
    if (!record) throw new HttpError(404, 'not_found', 'the project has no database');
    const view: DatabaseView = { databaseName: record.databaseName, roleName: record.roleName, state: record.state, createdAt: record.createdAt.toISOString() };
    if ((RULES.databaseUrl as readonly string[]).includes(viewer) && record.state === 'ready') {
      const password = this.deps.keyring.open(record.sealedPassword, record.keyId, dbContext(project.id));
      view.url = this.deps.provisioner.connectionUrl({ databaseName: record.databaseName, roleName: record.roleName, password });
    }
    return view;
  }

  /** Drops the database and its role once the caller repeats the project's slug. */
  async dropDatabase(caller: AuthUser, id: string, confirm: string | undefined): Promise<void> {
    const { project, viewer } = await visibleProject(this.deps, caller, { id });
    allow(viewer, RULES.databaseUrl, 'dropping the database');
    const record = await this.deps.secrets.database(project.id);
    if (!record) throw new HttpError(404, 'not_found', 'the project has no database');
    if (confirm !== project.slug)
      throw new HttpError(400, 'confirmation_required', "repeat the project's slug as ?confirm= to drop its database", [
        { field: 'confirm', message: 'must equal the project slug' },
      ]);
    // A 'creating' row older than this was left by a process that died midway; dropping it cleans up.
    if (record.state === 'creating' && Date.now() - record.createdAt.getTime() < STALE_CREATE_MS)
      throw new HttpError(409, 'conflict', 'the database is still being created');
    await this.deps.secrets.setDatabaseState(project.id, 'dropping', record.state);
    await this.deps.provisioner.drop(record);
    await this.deps.secrets.forgetDatabase(project.id);
  }

  /** Re-seals every value not under the current key, in one transaction; returns how many. */
  async rotateToCurrentKey(): Promise<{ envVars: number; databases: number }> {
    const ring = this.deps.keyring;
    return this.deps.db.transaction().execute(async (tx) => {
      const stale = await this.deps.secrets.staleSecrets(tx, ring.current.id);
      for (const v of stale.env) {
        const resealed = ring.seal(ring.open(v.sealed, v.keyId, envContext(v.projectId, v.key)), envContext(v.projectId, v.key));
        await this.deps.secrets.resealEnvVar(tx, v.projectId, v.key, resealed.sealed, resealed.keyId);
      }
      for (const d of stale.databases) {
        const resealed = ring.seal(ring.open(d.sealed, d.keyId, dbContext(d.projectId)), dbContext(d.projectId));
        await this.deps.secrets.resealDatabasePassword(tx, d.projectId, resealed.sealed, resealed.keyId);
      }
      return { envVars: stale.env.length, databases: stale.databases.length };
    });
  }
}

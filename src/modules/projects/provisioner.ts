import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where and how project databases are made. */
export interface ProvisionerOptions {
  /** A superuser URL on the server that hosts project databases. */
  adminUrl: string;
  connectionLimit: number;
}

/**
 * The SCRAM-SHA-256 verifier of a password (RFC 5802/7677, as PostgreSQL stores it),
 * so CREATE ROLE never carries the password itself into the server's statement log.
 * The passwords made here are ASCII, which SASLprep leaves unchanged.
 */
export function scramVerifier(password: string, iterations = 4096): string {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** The names and password of one project database. */
export interface ProjectDatabase {
  databaseName: string;
  roleName: string;
  password: string;
}

/**
 * Creates and drops project databases and their login roles on the admin server.
 * Every statement here is DDL that Kysely cannot express (CREATE/DROP DATABASE
 * and ROLE, GRANT/REVOKE on a database), so it is SQL text with every name
 * passed through escapeIdentifier and the password's SCRAM verifier through escapeLiteral.
 */
export class DatabaseProvisioner {
  constructor(private readonly options: ProvisionerOptions) {}

  /** The URL the project's code uses: the admin server's host and port, the project's role and database. */
  connectionUrl(db: ProjectDatabase): string {
    const url = new URL(this.options.adminUrl);
    url.username = encodeURIComponent(db.roleName);
    url.password = encodeURIComponent(db.password);
    url.pathname = `/${encodeURIComponent(db.databaseName)}`;
    return url.toString();
  }

  /** Creates the role and its database, closed to every other role; undoes itself on failure. */
  async create(db: ProjectDatabase): Promise<void> {
    const role = pg.escapeIdentifier(db.roleName);
    const database = pg.escapeIdentifier(db.databaseName);
    await this.withAdmin(async (client) => {
      try {
        await client.query(
          `CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS CONNECTION LIMIT ${this.options.connectionLimit} PASSWORD ${pg.escapeLiteral(scramVerifier(db.password))}`,
        );
        await client.query(`CREATE DATABASE ${database} OWNER ${role}`);
        // Every database is open to PUBLIC by default; this one is for its own role only.
        await client.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
        await client.query(`GRANT CONNECT, TEMPORARY ON DATABASE ${database} TO ${role}`);
      } catch (error) {
        await this.dropWith(client, db).catch(() => undefined);
        throw error;
      }
    });
  }

  /** Drops the database (closing its sessions) and then the role; missing ones are fine. */
  async drop(db: Pick<ProjectDatabase, 'databaseName' | 'roleName'>): Promise<void> {
    await this.withAdmin((client) => this.dropWith(client, db));
  }

  private async dropWith(client: pg.Client, db: Pick<ProjectDatabase, 'databaseName' | 'roleName'>): Promise<void> {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db.databaseName)} WITH (FORCE)`);
    await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(db.roleName)}`);
  }

  private async withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: this.options.adminUrl, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }
}

/**
 * Closes Aula's own database to PUBLIC (project roles must never connect to it);
 * false when the privilege stays, e.g. because Aula's user does not own the database.
 */
export async function closeToPublic(pool: pg.Pool): Promise<boolean> {
  const open = async () =>
    (await pool.query<{ open: boolean }>(`SELECT has_database_privilege('public', current_database(), 'CONNECT') AS open`)).rows[0]!.open;
  if (!(await open())) return true;
  const { rows } = await pool.query<{ name: string }>('SELECT current_database() AS name');
  await pool.query(`REVOKE CONNECT, TEMPORARY ON DATABASE ${pg.escapeIdentifier(rows[0]!.name)} FROM PUBLIC`);
  return !(await open());
}

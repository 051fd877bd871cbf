import type { ColumnType, Generated } from 'kysely';
import type { Role } from '../../platform/auth/tokens.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

interface UsersTable {
  id: Generated<string>;
  username: string;
  email: string;
  password_hash: string;
  role: ColumnType<Role, Role | undefined, Role>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface OutboxTable {
  seq: Generated<number>;
  user_id: string;
  type: UserEvent['type'];
  payload: ColumnType<UserEvent, string, string>;
  created_at: Timestamp;
}

interface DirectoryTable {
  id: string;
  username: string;
  email: string;
  role: Role;
  created_at: Timestamp;
  updated_at: Timestamp;
}

interface ProjectionStateTable {
  name: string;
  last_seq: number;
}

interface RefreshTokensTable {
  id: Generated<string>;
  user_id: string;
  family_id: string;
  token_hash: Buffer;
  expires_at: Timestamp;
  used_at: Timestamp | null;
  revoked_at: Timestamp | null;
  created_at: Timestamp;
}

/** The identity schema's tables, as Kysely sees them. */
export interface IdentityDb {
  'identity.users': UsersTable;
  'identity.outbox': OutboxTable;
  'identity.user_directory': DirectoryTable;
  'identity.projection_state': ProjectionStateTable;
  'identity.refresh_tokens': RefreshTokensTable;
}

/** A user as the API shows it. */
export interface PublicUser {
  id: string;
  username: string;
  email: string;
  role: Role;
}

/** The events commands append to the outbox; the read model is built from them alone. */
export type UserEvent =
  | { type: 'user.registered'; id: string; username: string; email: string; role: Role; at: string }
  | { type: 'user.role_changed'; id: string; role: Role; at: string }
  | { type: 'user.profile_changed'; id: string; username: string; email: string; at: string };

-- Command side: the source of truth. Uniqueness lives here, case-insensitively.
CREATE TABLE identity.users (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username       text        NOT NULL,
  email          text        NOT NULL,
  password_hash  text        NOT NULL,
  role           text        NOT NULL DEFAULT 'student' CHECK (role IN ('student', 'teacher', 'admin')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username_unique ON identity.users (lower(username));
CREATE UNIQUE INDEX users_email_unique ON identity.users (lower(email));

-- Every command appends its event here in the same transaction as its write.
CREATE TABLE identity.outbox (
  seq         bigserial   PRIMARY KEY,
  user_id     uuid        NOT NULL,
  type        text        NOT NULL,
  payload     jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Query side: kept by the projector from the outbox, read by the user queries.
CREATE TABLE identity.user_directory (
  id          uuid PRIMARY KEY,
  username    text        NOT NULL,
  email       text        NOT NULL,
  role        text        NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE INDEX user_directory_username_idx ON identity.user_directory (lower(username) text_pattern_ops);
CREATE INDEX user_directory_email_idx ON identity.user_directory (lower(email) text_pattern_ops);

-- How far the projector has read the outbox; one row per projection.
CREATE TABLE identity.projection_state (
  name      text   PRIMARY KEY,
  last_seq  bigint NOT NULL
);
INSERT INTO identity.projection_state (name, last_seq) VALUES ('user_directory', 0);

-- Refresh tokens are stored as SHA-256 hashes; a family is one log-in session.
CREATE TABLE identity.refresh_tokens (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid        NOT NULL REFERENCES identity.users (id) ON DELETE CASCADE,
  family_id   uuid        NOT NULL,
  token_hash  bytea       NOT NULL UNIQUE,
  expires_at  timestamptz NOT NULL,
  used_at     timestamptz,
  revoked_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX refresh_tokens_family_idx ON identity.refresh_tokens (family_id);

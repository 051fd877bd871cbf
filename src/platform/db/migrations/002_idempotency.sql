-- Responses of creating requests sent with an Idempotency-Key, so a retried
-- request gets the same answer. A row is written in the same transaction as
-- the change it answers for: both commit, or neither does.
CREATE TABLE platform.idempotency_keys (
  caller       text        NOT NULL,
  route        text        NOT NULL,
  key          text        NOT NULL,
  fingerprint  text        NOT NULL,
  status       integer     NOT NULL,
  body         jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, route, key)
);
CREATE INDEX idempotency_keys_created_idx ON platform.idempotency_keys (created_at);

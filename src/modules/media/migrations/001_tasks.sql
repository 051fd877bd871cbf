-- One row per video task; files live in storage under tasks/<id>/.
CREATE TABLE media.tasks (
  id               uuid PRIMARY KEY,
  owner_id         uuid        NOT NULL,
  title            text        NOT NULL,
  status           text        NOT NULL DEFAULT 'queued'
                   CHECK (status IN ('queued', 'processing', 'processed', 'failed', 'cancelled')),
  progress         smallint    NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  error            text,
  source_url       text,
  original_type    text,
  idempotency_key  text,
  input            jsonb,
  output           jsonb,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),  -- millisecond precision, so JSON cursors are exact
  started_at       timestamptz,
  finished_at      timestamptz
);
CREATE INDEX tasks_owner_created_idx ON media.tasks (owner_id, created_at DESC, id DESC);
CREATE UNIQUE INDEX tasks_idempotency_idx ON media.tasks (owner_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

-- Every Aula process registers here at start and keeps last_seen_at fresh,
-- so operators (and later the monitor) can see which roles run where.
CREATE TABLE platform.processes (
  id            uuid PRIMARY KEY,
  role          text        NOT NULL,
  modules       text[]      NOT NULL,
  queues        text[]      NOT NULL,
  host          text        NOT NULL,
  pid           integer     NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  stopped_at    timestamptz
);
CREATE INDEX processes_live_idx ON platform.processes (last_seen_at) WHERE stopped_at IS NULL;

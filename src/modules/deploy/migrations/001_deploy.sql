-- One row per project that was ever deployed: its uid in the sandbox, the release that serves, and what the operator asked.
CREATE TABLE deploy.apps (
  project_id          uuid PRIMARY KEY,
  slug                text NOT NULL UNIQUE,
  uid_offset          serial NOT NULL UNIQUE,
  live_deployment_id  uuid,
  desired             text NOT NULL DEFAULT 'running' CHECK (desired IN ('running', 'stopped')),
  status              text NOT NULL DEFAULT 'stopped' CHECK (status IN ('running', 'stopped', 'crashed', 'starting')),
  restarts            integer NOT NULL DEFAULT 0,
  status_reason       text,
  -- Sampled by the supervisor every few seconds while the app runs.
  memory_bytes        bigint,
  cpu_percent         real,
  sampled_at          timestamptz,
  -- Added to by every API process's router, every second.
  requests            bigint NOT NULL DEFAULT 0,
  responses_5xx       bigint NOT NULL DEFAULT 0,
  updated_at          timestamptz NOT NULL DEFAULT now()
);

-- A deployment is one build of one commit; a live or previously live one is a release.
CREATE TABLE deploy.deployments (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id    uuid NOT NULL,
  ref           text,
  commit_sha    text,
  kind          text CHECK (kind IN ('static', 'node')),
  state         text NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'fetching', 'building', 'starting', 'checking', 'live', 'failed', 'cancelled', 'retired')),
  progress      integer NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
  reason        text,
  rollback_of   uuid,
  requested_by  uuid NOT NULL,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  started_at    timestamptz(3),
  finished_at   timestamptz(3)
);
CREATE INDEX deployments_project_idx ON deploy.deployments (project_id, created_at DESC, id DESC);

-- Build output and the app's stdout/stderr, per deployment, secret values already masked; capped by the writer.
CREATE TABLE deploy.log_lines (
  seq            bigserial PRIMARY KEY,
  deployment_id  uuid NOT NULL REFERENCES deploy.deployments (id) ON DELETE CASCADE,
  stream         text NOT NULL CHECK (stream IN ('build', 'stdout', 'stderr', 'system')),
  line           text NOT NULL,
  at             timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX log_lines_deployment_idx ON deploy.log_lines (deployment_id, seq);

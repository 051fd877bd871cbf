-- A team's course project. course_id names an academic course group; owner_id and member ids are identity users.
CREATE TABLE projects.projects (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug          text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,28}[a-z0-9]$'),
  name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description   text NOT NULL DEFAULT '' CHECK (length(description) <= 10000),
  repo_url      text NOT NULL DEFAULT '',
  course_id     uuid NOT NULL,
  demo_task_id  uuid,
  rating_count  integer NOT NULL DEFAULT 0,
  rating_sum    integer NOT NULL DEFAULT 0,
  -- Kept with the sums in the rating transaction so sort=rating pages on an index.
  rating_avg    double precision NOT NULL DEFAULT 0,
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  updated_at    timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX projects_course_recent_idx ON projects.projects (course_id, created_at DESC, id DESC);
CREATE INDEX projects_course_rating_idx ON projects.projects (course_id, rating_avg DESC, id DESC);
CREATE INDEX projects_recent_idx ON projects.projects (created_at DESC, id DESC);

CREATE TABLE projects.members (
  project_id  uuid NOT NULL REFERENCES projects.projects (id) ON DELETE CASCADE,
  user_id     uuid NOT NULL,
  role        text NOT NULL CHECK (role IN ('owner', 'member')),
  added_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, user_id)
);
CREATE INDEX members_user_idx ON projects.members (user_id);
CREATE UNIQUE INDEX members_one_owner_idx ON projects.members (project_id) WHERE role = 'owner';

CREATE TABLE projects.stages (
  id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  project_id         uuid NOT NULL REFERENCES projects.projects (id) ON DELETE CASCADE,
  position           integer NOT NULL,
  title              text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  due_at             timestamptz,
  status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'submitted', 'accepted', 'changes-requested')),
  submission_commit  text,
  submission_link    text,
  submission_note    text,
  submitted_at       timestamptz,
  submitted_by       uuid,
  feedback           text,
  reviewed_at        timestamptz,
  reviewed_by        uuid,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (project_id, position)
);

-- course_id is copied from the project (which never changes course) so a course's tag counts and tag search use one index.
CREATE TABLE projects.tags (
  project_id  uuid NOT NULL REFERENCES projects.projects (id) ON DELETE CASCADE,
  course_id   uuid NOT NULL,
  tag         text NOT NULL CHECK (length(tag) BETWEEN 1 AND 30),
  PRIMARY KEY (project_id, tag)
);
CREATE INDEX tags_course_tag_idx ON projects.tags (course_id, tag, project_id);
CREATE INDEX tags_tag_idx ON projects.tags (tag, project_id);

CREATE TABLE projects.ratings (
  project_id  uuid NOT NULL REFERENCES projects.projects (id) ON DELETE CASCADE,
  user_id     uuid NOT NULL,
  score       smallint NOT NULL CHECK (score BETWEEN 1 AND 5),
  rated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, user_id)
);

-- Values are AES-256-GCM ciphertexts (see secrets.ts); key_id names the key that sealed them.
CREATE TABLE projects.env_vars (
  project_id  uuid NOT NULL REFERENCES projects.projects (id) ON DELETE CASCADE,
  key         text NOT NULL CHECK (key ~ '^[A-Z_][A-Z0-9_]*$' AND length(key) <= 128),
  scope       text NOT NULL CHECK (scope IN ('runtime', 'build')),
  sealed      bytea NOT NULL,
  key_id      text NOT NULL,
  hint        text NOT NULL,
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, key)
);
CREATE INDEX env_vars_key_id_idx ON projects.env_vars (key_id);

-- A project's own database on the admin server; the row exists from the moment creation starts ('creating').
CREATE TABLE projects.databases (
  project_id       uuid PRIMARY KEY REFERENCES projects.projects (id) ON DELETE RESTRICT,
  database_name    text NOT NULL UNIQUE,
  role_name        text NOT NULL UNIQUE,
  sealed_password  bytea NOT NULL,
  key_id           text NOT NULL,
  state            text NOT NULL CHECK (state IN ('creating', 'ready', 'dropping')),
  created_at       timestamptz NOT NULL DEFAULT now()
);

-- Transactional outbox: events are written with the change and published to the projects.events stream afterwards.
CREATE TABLE projects.outbox (
  seq           bigserial PRIMARY KEY,
  type          text NOT NULL,
  payload       jsonb NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz
);
CREATE INDEX outbox_unpublished_idx ON projects.outbox (seq) WHERE published_at IS NULL;

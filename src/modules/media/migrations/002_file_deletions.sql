-- Files still to remove for tasks already deleted: written in the same transaction
-- as the delete (an outbox), cleared once the files are gone, retried by the reconciler.
CREATE TABLE media.file_deletions (
  task_id       uuid PRIMARY KEY,
  requested_at  timestamptz NOT NULL DEFAULT now()
);
-- Unfinished tasks, for the reconciler that gives each one a live job.
CREATE INDEX tasks_unfinished_idx ON media.tasks (created_at) WHERE status IN ('queued', 'processing');

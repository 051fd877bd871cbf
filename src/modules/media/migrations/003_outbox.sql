-- Events for other modules (task.processed, task.failed), written in the same transaction
-- as the task's change of status; the platform's outbox relay publishes and deletes them.
CREATE TABLE media.outbox (
  seq         bigserial   PRIMARY KEY,
  event_id    uuid        NOT NULL DEFAULT gen_random_uuid(),
  queue       text        NOT NULL,
  name        text        NOT NULL,
  payload     jsonb       NOT NULL,
  request_id  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

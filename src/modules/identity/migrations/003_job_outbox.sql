-- Projector wake-ups, written in the same transaction as the command (platform
-- outbox layout), so the read model catches up even when the queue was down at
-- commit time. identity.outbox stays the event log the read model is built from.
CREATE TABLE identity.job_outbox (
  seq         bigserial   PRIMARY KEY,
  event_id    uuid        NOT NULL DEFAULT gen_random_uuid(),
  queue       text        NOT NULL,
  name        text        NOT NULL,
  payload     jsonb       NOT NULL,
  request_id  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

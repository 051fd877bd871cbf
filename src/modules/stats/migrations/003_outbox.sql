-- Direct grade writes accepted with 202: kept here until the relay has queued them,
-- so an accepted write survives a queue outage (the platform outbox layout).
CREATE TABLE stats.outbox (
  seq         bigserial   PRIMARY KEY,
  event_id    uuid        NOT NULL DEFAULT gen_random_uuid(),
  queue       text        NOT NULL,
  name        text        NOT NULL,
  payload     jsonb       NOT NULL,
  request_id  text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

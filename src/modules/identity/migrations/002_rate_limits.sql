-- Rate-limit counters (rate-limiter-flexible's PostgreSQL layout), shared by every
-- API process when no Redis is configured. `expire` is epoch milliseconds.
CREATE TABLE identity.rate_limits (
  key     varchar(255) PRIMARY KEY,
  points  integer NOT NULL DEFAULT 0,
  expire  bigint
);

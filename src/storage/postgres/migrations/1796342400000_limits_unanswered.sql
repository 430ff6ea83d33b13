-- Up Migration

-- Per-person message allowance (a token bucket), shared by every replica so a flood is cut off
-- however the load balancer spreads it. Keyed by a digest of the person's key.
CREATE TABLE rate_buckets (
  key         text             PRIMARY KEY,
  tokens      double precision NOT NULL,
  updated_at  timestamptz      NOT NULL,
  allowed     boolean          NOT NULL
);

CREATE INDEX rate_buckets_updated_idx ON rate_buckets (updated_at);

-- Questions the policy could not answer: masked, without who asked, purged after UNANSWERED_RETENTION.
CREATE TABLE unanswered (
  id    bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at    timestamptz NOT NULL,
  lang  text        NOT NULL CHECK (lang IN ('zh', 'en')),
  q     text        NOT NULL
);

CREATE INDEX unanswered_at_idx ON unanswered (at);

-- Down Migration

DROP TABLE unanswered;
DROP TABLE rate_buckets;

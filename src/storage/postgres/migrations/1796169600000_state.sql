-- Up Migration

-- Small keyed state, one namespace per store: conversations in progress, preferences, held
-- notices, console sessions, messages sent about a request. `value` is what the store's get returns.
CREATE TABLE kv (
  namespace   text        NOT NULL,
  key         text        NOT NULL,
  value       jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL,
  PRIMARY KEY (namespace, key)
);

-- Housekeeping drops conversations idle since a cutoff.
CREATE INDEX kv_updated_idx ON kv (namespace, updated_at);

-- Messages WeChat delivered, by retry identity (sender and MsgId): the first replica to claim one
-- answers it, and WeChat's retries of it (to any replica) share that answer instead of a second one.
CREATE TABLE message_claims (
  key         text        PRIMARY KEY,
  claimed_at  timestamptz NOT NULL,
  -- Set once the answer is known: {"reply": {...} | null}.
  outcome     jsonb
);

CREATE INDEX message_claims_claimed_idx ON message_claims (claimed_at);

-- Down Migration

DROP TABLE message_claims;
DROP TABLE kv;

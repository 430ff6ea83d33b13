-- Up Migration

-- Messages waiting to be delivered (or held), as the outbox item the owning replica keeps in memory.
-- `owner` is the replica that sends it; when that replica dies, the elected one takes its rows over.
CREATE TABLE outbox (
  id          text        PRIMARY KEY,
  owner       text        NOT NULL,
  seq         bigint      NOT NULL,
  item        jsonb       NOT NULL CHECK (item ->> 'id' = id)
);

CREATE INDEX outbox_owner_idx ON outbox (owner);

-- Down Migration

DROP TABLE outbox;

-- Up Migration

-- One row per rights request or inquiry. `record` is the request exactly as the repository returns
-- it (RightsRequest, audit trail included); the other columns copy the fields that queries select
-- on, and are rewritten from `record` on every write.
CREATE TABLE requests (
  id          text        PRIMARY KEY,
  channel     text        NOT NULL,
  user_id     text        NOT NULL,
  kind        text        NOT NULL CHECK (kind IN ('rights', 'inquiry')),
  state       text        NOT NULL CHECK (state IN ('submitted', 'verified', 'replied', 'closed', 'rejected')),
  created_at  timestamptz NOT NULL,
  closed_at   timestamptz,
  purged_at   timestamptz,
  record      jsonb       NOT NULL CHECK (jsonb_typeof(record -> 'audit') = 'array'),
  CHECK (record ->> 'id' = id)
);

-- A person's requests (status, open-request limit).
CREATE INDEX requests_person_idx ON requests (channel, user_id, created_at);
-- The staff queue and exports (by state, by kind).
CREATE INDEX requests_state_idx ON requests (state, created_at);
CREATE INDEX requests_kind_idx ON requests (kind, created_at);
-- The retention purge: finished requests not purged yet, by closing date.
CREATE INDEX requests_purgeable_idx ON requests (closed_at)
  WHERE purged_at IS NULL AND state IN ('closed', 'rejected');

-- The audit trail is append-only: an update may add entries at the end, never change or drop one.
-- Enforced here as well as in the application, so no code path (or hand-written SQL) rewrites it.
CREATE FUNCTION requests_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  old_audit jsonb := OLD.record -> 'audit';
  new_audit jsonb := NEW.record -> 'audit';
  n integer := jsonb_array_length(old_audit);
BEGIN
  IF jsonb_array_length(new_audit) < n
     OR (SELECT coalesce(jsonb_agg(e ORDER BY i), '[]'::jsonb)
           FROM jsonb_array_elements(new_audit) WITH ORDINALITY AS t(e, i)
          WHERE i <= n) <> old_audit THEN
    RAISE EXCEPTION 'the audit trail of request % is append-only', OLD.id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER requests_audit_append_only
  BEFORE UPDATE OF record ON requests
  FOR EACH ROW EXECUTE FUNCTION requests_audit_append_only();

-- Requests are anonymised by the retention purge, never deleted.
CREATE FUNCTION requests_no_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'requests are purged, never deleted (request %)', OLD.id
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;

CREATE TRIGGER requests_no_delete
  BEFORE DELETE ON requests
  FOR EACH ROW EXECUTE FUNCTION requests_no_delete();

-- Down Migration

DROP TABLE requests;
DROP FUNCTION requests_audit_append_only();
DROP FUNCTION requests_no_delete();

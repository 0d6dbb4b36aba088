-- The audit trail: every state change writes one row in the same transaction.
CREATE TABLE event (
    id             INTEGER PRIMARY KEY,
    at             TEXT NOT NULL,
    actor          TEXT NOT NULL,        -- "bob (release manager)", "token ci-main", "train"
    actor_user_id  INTEGER REFERENCES user (id) ON DELETE SET NULL,
    action         TEXT NOT NULL,        -- "patch_request.filed"
    object_kind    TEXT NOT NULL,        -- "patch_request"
    object_id      TEXT NOT NULL,        -- "42", "1.10.3"
    summary        TEXT NOT NULL,
    before         TEXT,                 -- JSON, where useful
    after          TEXT
);
CREATE INDEX event_by_object ON event (object_kind, object_id, id);
CREATE INDEX event_by_time ON event (id DESC);

-- Notifications: who hears about what, and an outbox of messages, each sent once.

-- Where a person's mail goes; none means they get no mail.
ALTER TABLE user ADD COLUMN email TEXT;

-- Kinds a person turned off (every kind is on by default).
CREATE TABLE notification_mute (
    user_id  INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
    kind     TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Lines a person follows, to hear of their end of life ahead of time.
CREATE TABLE line_follow (
    user_id  INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
    line_id  TEXT NOT NULL,
    PRIMARY KEY (user_id, line_id)
);

-- A chat channel or other receiver: every message of its kinds is posted to its URL, signed with
-- its secret (kept in clear: signing needs it, as GitHub keeps its webhook secrets).
CREATE TABLE webhook (
    id          INTEGER PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    kinds       TEXT NOT NULL,          -- comma-separated kinds
    created_by  INTEGER REFERENCES user (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);

-- The outbox. `key` names the event and the recipient, so the same message is never queued twice;
-- a message is claimed (`sending`, with a lease) before it is sent, so two workers never send it
-- both, and a worker that died while sending is retried once the lease runs out.
CREATE TABLE notification (
    id               INTEGER PRIMARY KEY,
    key              TEXT NOT NULL UNIQUE,
    kind             TEXT NOT NULL,
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'webhook')),
    recipient        TEXT NOT NULL,     -- an address, or a webhook id
    subject          TEXT NOT NULL,
    body             TEXT NOT NULL,
    link             TEXT NOT NULL,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    sent_at          TEXT
);
CREATE INDEX notification_due ON notification (state, next_attempt_at);

-- How far the audit trail has been turned into notifications: the events before the first start
-- of this version are history and notify nobody.
CREATE TABLE notification_cursor (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id  INTEGER NOT NULL
);
INSERT INTO notification_cursor (id, last_event_id) SELECT 1, COALESCE(MAX(id), 0) FROM event;

-- A private Atom feed of one's own requests: its address holds a secret, stored only as a hash.
-- One per person; a new one replaces the old, and turning it off deletes it.
CREATE TABLE feed_token (
    user_id     INTEGER PRIMARY KEY REFERENCES user (id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TEXT NOT NULL
);

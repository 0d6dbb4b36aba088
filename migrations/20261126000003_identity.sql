-- Identity (DESIGN §7): users with roles, server-side sessions, API tokens for CI.
-- Session ids and tokens are stored only as SHA-256 hashes; a database leak reveals none.
CREATE TABLE user (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role           TEXT NOT NULL CHECK (role IN ('developer', 'release_manager', 'admin')),
    password_hash  TEXT NOT NULL,                       -- argon2id PHC string
    demo           INTEGER NOT NULL DEFAULT 0 CHECK (demo IN (0, 1)),
    created_at     TEXT NOT NULL
);

CREATE TABLE session (
    id_hash       TEXT PRIMARY KEY NOT NULL,
    user_id       INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);
CREATE INDEX session_by_user ON session (user_id);

CREATE TABLE api_token (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('ci', 'release_manager')),
    token_hash    TEXT NOT NULL UNIQUE,
    created_by    INTEGER REFERENCES user (id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    last_used_at  TEXT,
    revoked_at    TEXT
);

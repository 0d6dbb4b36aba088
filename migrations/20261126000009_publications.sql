-- Publishing to GitHub as an outbox (DESIGN §6, issue 7): the intent is committed first, then
-- each step's outcome; a retry resumes from the last good step. One publication per release.
CREATE TABLE publication (
    id                 INTEGER PRIMARY KEY,
    release_id         INTEGER NOT NULL UNIQUE REFERENCES release (id),
    tag                TEXT NOT NULL,
    target_sha         TEXT NOT NULL,
    name               TEXT NOT NULL,
    body               TEXT NOT NULL,
    prerelease         INTEGER NOT NULL CHECK (prerelease IN (0, 1)),
    make_latest        INTEGER NOT NULL CHECK (make_latest IN (0, 1)),
    state              TEXT NOT NULL CHECK (state IN ('pending', 'retrying', 'published', 'failed')),
    step               TEXT NOT NULL CHECK (step IN ('tag', 'release', 'done')),
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at    TEXT NOT NULL,
    last_error         TEXT,
    github_release_id  INTEGER,
    html_url           TEXT,
    requested_by       INTEGER REFERENCES user (id) ON DELETE SET NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX publication_due ON publication (state, next_attempt_at);

CREATE TABLE publication_attempt (
    id              INTEGER PRIMARY KEY,
    publication_id  INTEGER NOT NULL REFERENCES publication (id) ON DELETE CASCADE,
    at              TEXT NOT NULL,
    step            TEXT NOT NULL,
    outcome         TEXT NOT NULL,     -- ok, retry, failed
    message         TEXT NOT NULL
);
CREATE INDEX publication_attempt_by_publication ON publication_attempt (publication_id, id);

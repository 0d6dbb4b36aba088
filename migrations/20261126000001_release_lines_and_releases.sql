-- Release lines (X.Y) and the releases in them (DESIGN §3).
-- A line's status and end of life are computed from its releases and the policy as of a day,
-- so only a manager's override is stored, never a status that would go stale.
CREATE TABLE release_line (
    id                   TEXT PRIMARY KEY NOT NULL,          -- "1.10"
    major                INTEGER NOT NULL CHECK (major >= 0),
    minor                INTEGER NOT NULL CHECK (minor >= 0),
    eol_override_date    TEXT,                               -- YYYY-MM-DD
    eol_override_note    TEXT,
    compatibility_notes  TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL,
    UNIQUE (major, minor),
    CHECK ((eol_override_date IS NULL) = (eol_override_note IS NULL))
);

CREATE TABLE release (
    id                 INTEGER PRIMARY KEY,
    version            TEXT NOT NULL UNIQUE,                 -- semver, canonical form
    line_id            TEXT NOT NULL REFERENCES release_line (id),
    kind               TEXT NOT NULL CHECK (kind IN ('minor', 'patch')),
    status             TEXT NOT NULL CHECK (status IN
                           ('planned', 'candidate', 'approved', 'publishing', 'published', 'cancelled')),
    planned_date       TEXT,                                 -- YYYY-MM-DD
    actual_date        TEXT,                                 -- set when it ships (approved)
    out_of_band        INTEGER NOT NULL DEFAULT 0 CHECK (out_of_band IN (0, 1)),
    source_build       TEXT,
    source_commit      TEXT,
    notes              TEXT NOT NULL DEFAULT '',
    github_tag         TEXT,
    github_release_id  INTEGER,
    github_url         TEXT,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (planned_date IS NOT NULL OR actual_date IS NOT NULL)
);

CREATE INDEX release_by_line ON release (line_id);

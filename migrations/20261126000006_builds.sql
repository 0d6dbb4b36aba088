-- The release train's builds (DESIGN §3, issue 6): reported by CI, never guessed.
CREATE TABLE build (
    id                 INTEGER PRIMARY KEY,
    name               TEXT NOT NULL UNIQUE,          -- <branch>-<YYYYMMDD>-<HHMM>
    branch             TEXT NOT NULL,
    commit_sha         TEXT NOT NULL,
    cut_at             TEXT NOT NULL,                 -- UTC
    cut_on             TEXT NOT NULL,                 -- the UTC date of cut_at, for range queries
    weekly_selected_at TEXT,                          -- set when chosen as the week's build
    weekly_reason      TEXT,
    promoted_to        TEXT,                          -- the minor version promoted from it
    created_at         TEXT NOT NULL
);
CREATE INDEX build_by_day ON build (cut_on);

CREATE TABLE build_result (
    build_id     INTEGER NOT NULL REFERENCES build (id) ON DELETE CASCADE,
    suite        TEXT NOT NULL CHECK (suite IN ('functional', 'stability', 'performance')),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'passed', 'failed')),
    link         TEXT,
    reported_at  TEXT NOT NULL,
    PRIMARY KEY (build_id, suite)
);

-- One life for every release, minor or patch: planned → candidate → approved → publishing →
-- released; planned or candidate → cancelled; a patch slot → skipped. Each release fills a
-- slot (a monthly's cadence month, a line's patch month, or an out-of-band number) that never
-- changes, so calendar UIDs survive moves; the version of a release that has not shipped is
-- worked out from the dates (versions follow time), so it is stored only once fixed.
--
-- SQLite changes a CHECK only by rebuilding the table. The migrator runs this in a transaction,
-- where foreign keys cannot be switched off, so the tables that point at `release` are rebuilt
-- with it: the new ones point at each other, the old ones are dropped children first, and the
-- renames carry the references over. No row ever points nowhere.

CREATE TABLE release_new (
    id                    INTEGER PRIMARY KEY,
    line_id               TEXT NOT NULL REFERENCES release_line (id),
    kind                  TEXT NOT NULL CHECK (kind IN ('minor', 'patch')),
    slot                  TEXT NOT NULL UNIQUE,            -- minor-2026-12, patch-1.12-2026-12, oob-1.12-1
    version               TEXT,                            -- set once publishing or released
    status                TEXT NOT NULL CHECK (status IN
                              ('planned', 'candidate', 'approved', 'publishing', 'released', 'cancelled', 'skipped')),
    planned_date          TEXT NOT NULL,                   -- YYYY-MM-DD
    cherry_pick_deadline  TEXT,                            -- regular patch slots only
    actual_date           TEXT,                            -- the day it was released
    source_build          TEXT,
    source_commit         TEXT,
    notes                 TEXT NOT NULL DEFAULT '',
    date_note             TEXT,
    revision              INTEGER NOT NULL DEFAULT 0,
    github_tag            TEXT,
    github_release_id     INTEGER,
    github_url            TEXT,
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    CHECK ((version IS NOT NULL) = (status IN ('publishing', 'released')))
);

INSERT INTO release_new (id, line_id, kind, slot, version, status, planned_date, actual_date, source_build,
                         source_commit, notes, date_note, revision, github_tag, github_release_id, github_url,
                         created_at, updated_at)
SELECT id, line_id, kind,
       CASE
           WHEN kind = 'minor' THEN 'minor-' || strftime('%Y-%m', COALESCE(planned_date, actual_date))
                || CASE WHEN n > 0 THEN '-' || n ELSE '' END
           WHEN out_of_band = 1 OR n > 0 THEN 'oob-' || line_id || '-' || id
           ELSE 'patch-' || line_id || '-' || strftime('%Y-%m', COALESCE(planned_date, actual_date))
       END,
       CASE WHEN status IN ('published', 'publishing') THEN version END,
       CASE status WHEN 'published' THEN 'released' ELSE status END,
       COALESCE(planned_date, actual_date),
       CASE WHEN status = 'published' THEN actual_date END,
       source_build, source_commit, notes, date_note, revision, github_tag, github_release_id, github_url,
       created_at, updated_at
FROM (
    SELECT *, ROW_NUMBER() OVER (
        PARTITION BY kind, CASE WHEN kind = 'minor' THEN '' ELSE line_id END, out_of_band,
                     strftime('%Y-%m', COALESCE(planned_date, actual_date))
        ORDER BY version) - 1 AS n
    FROM release
);

-- Each targeted line's cherry-pick (the pull request against the line's release branch, its
-- state, when it merged and with which commit), the note a carry-over leaves, and a revision,
-- so a decision made on what someone saw earlier is refused instead of overwriting a later one.
CREATE TABLE patch_target_new (
    request_id         INTEGER NOT NULL REFERENCES patch_request (id) ON DELETE CASCADE,
    line_id            TEXT NOT NULL REFERENCES release_line (id),
    decision           TEXT NOT NULL CHECK (decision IN ('pending', 'approved', 'rejected', 'not_affected')),
    reason             TEXT,
    decided_by         INTEGER REFERENCES user (id) ON DELETE SET NULL,
    decided_at         TEXT,
    release_id         INTEGER REFERENCES release_new (id),  -- the release that carries the fix
    cherry_pick_url    TEXT,
    cherry_pick_state  TEXT CHECK (cherry_pick_state IN ('open', 'merged', 'closed')),
    merged_at          TEXT,
    merge_commit       TEXT,
    carry_note         TEXT,
    revision           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (request_id, line_id)
);
INSERT INTO patch_target_new (request_id, line_id, decision, reason, decided_by, decided_at, release_id)
SELECT request_id, line_id, decision, reason, decided_by, decided_at, release_id FROM patch_target;

CREATE TABLE publication_new (
    id                 INTEGER PRIMARY KEY,
    release_id         INTEGER NOT NULL UNIQUE REFERENCES release_new (id),
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
INSERT INTO publication_new SELECT * FROM publication;

CREATE TABLE publication_attempt_new (
    id              INTEGER PRIMARY KEY,
    publication_id  INTEGER NOT NULL REFERENCES publication_new (id) ON DELETE CASCADE,
    at              TEXT NOT NULL,
    step            TEXT NOT NULL,
    outcome         TEXT NOT NULL,     -- ok, retry, failed
    message         TEXT NOT NULL
);
INSERT INTO publication_attempt_new SELECT * FROM publication_attempt;

DROP TABLE publication_attempt;
DROP TABLE publication;
DROP TABLE patch_target;
DROP TABLE release;

ALTER TABLE release_new RENAME TO release;
ALTER TABLE patch_target_new RENAME TO patch_target;
ALTER TABLE publication_new RENAME TO publication;
ALTER TABLE publication_attempt_new RENAME TO publication_attempt;

CREATE INDEX release_by_line ON release (line_id, planned_date);
CREATE UNIQUE INDEX release_one_version ON release (version) WHERE version IS NOT NULL;
CREATE INDEX patch_target_by_line ON patch_target (line_id, request_id);
CREATE INDEX patch_target_by_release ON patch_target (release_id);
CREATE INDEX publication_due ON publication (state, next_attempt_at);
CREATE INDEX publication_attempt_by_publication ON publication_attempt (publication_id, id);

-- Where builds come from, which suites a patch build must pass, and what a slip does.
ALTER TABLE policy ADD COLUMN main_branch TEXT NOT NULL DEFAULT 'main';
ALTER TABLE policy ADD COLUMN release_branch TEXT NOT NULL DEFAULT 'release-{line}';
ALTER TABLE policy ADD COLUMN patch_suites TEXT NOT NULL DEFAULT 'functional';
ALTER TABLE policy ADD COLUMN cadence TEXT NOT NULL DEFAULT 'fixed' CHECK (cadence IN ('fixed', 'shift'));

-- Dailies are found on the main branch, patch candidates on release branches.
CREATE INDEX build_by_branch ON build (branch, cut_at);

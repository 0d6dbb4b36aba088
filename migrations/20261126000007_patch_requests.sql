-- Patch requests (DESIGN §3, issue 5): what a developer filed, and one target per line with
-- its own decision and the release that carries it.
CREATE TABLE patch_request (
    id                 INTEGER PRIMARY KEY,
    title              TEXT NOT NULL,
    category           TEXT NOT NULL CHECK (category IN ('stability', 'security', 'minor_problem', 'feature')),
    severity           TEXT NOT NULL CHECK (severity IN ('S1', 'S2', 'S3', 'S4')),
    bug_link           TEXT NOT NULL,
    fix_link           TEXT,
    impact             TEXT NOT NULL DEFAULT '',
    risk               TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
    risk_reason        TEXT NOT NULL DEFAULT '',
    testing            TEXT NOT NULL DEFAULT '',
    verified_on_daily  INTEGER NOT NULL CHECK (verified_on_daily IN (0, 1)),
    workaround         TEXT NOT NULL DEFAULT '',
    cve_id             TEXT,
    embargoed          INTEGER NOT NULL DEFAULT 0 CHECK (embargoed IN (0, 1)),
    requester_id       INTEGER NOT NULL REFERENCES user (id),
    triage_owner_id    INTEGER REFERENCES user (id) ON DELETE SET NULL,
    -- open (awaiting triage), deferred (waits for the monthly), approved, rejected, shipped;
    -- kept in step with the targets by the one function that changes them.
    status             TEXT NOT NULL CHECK (status IN ('open', 'deferred', 'approved', 'rejected', 'shipped')),
    deferred_to        TEXT,                      -- the monthly version a deferred request waits for
    dedupe_key         TEXT NOT NULL,             -- the same submission twice is one request
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX patch_request_by_status ON patch_request (status, id DESC);
CREATE INDEX patch_request_by_requester ON patch_request (requester_id, dedupe_key);

CREATE TABLE patch_target (
    request_id   INTEGER NOT NULL REFERENCES patch_request (id) ON DELETE CASCADE,
    line_id      TEXT NOT NULL REFERENCES release_line (id),
    decision     TEXT NOT NULL CHECK (decision IN ('pending', 'approved', 'rejected', 'not_affected')),
    reason       TEXT,
    decided_by   INTEGER REFERENCES user (id) ON DELETE SET NULL,
    decided_at   TEXT,
    release_id   INTEGER REFERENCES release (id),  -- the patch release that carries the fix
    PRIMARY KEY (request_id, line_id)
);
CREATE INDEX patch_target_by_line ON patch_target (line_id, request_id);
CREATE INDEX patch_target_by_release ON patch_target (release_id);

-- Who triages new requests each week (the seed's developer on-call).
CREATE TABLE oncall (
    week_start  TEXT PRIMARY KEY NOT NULL,          -- a Monday
    user_id     INTEGER NOT NULL REFERENCES user (id) ON DELETE CASCADE
);

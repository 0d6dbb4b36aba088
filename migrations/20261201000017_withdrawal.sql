-- A requester may withdraw a request until a line ships: a status of its own, and when.
--
-- RUN ONLY WITH FOREIGN KEYS OFF (the server's migrator does so): with them on, dropping the
-- old table below deletes every patch_target row that refers to it.
-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt the documented way
-- (migrations run with foreign keys off, so dropping the old table cascades no target away;
-- the check after them proves every reference still holds), and its indexes and search
-- triggers are made again.

CREATE TABLE patch_request_new (
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
    -- open (awaiting triage), deferred (waits for the monthly), approved, rejected, shipped,
    -- withdrawn (by its requester); kept in step with the targets by the one function that
    -- changes them.
    status             TEXT NOT NULL
                       CHECK (status IN ('open', 'deferred', 'approved', 'rejected', 'shipped', 'withdrawn')),
    deferred_to        TEXT,                      -- the monthly version a deferred request waits for
    dedupe_key         TEXT NOT NULL,             -- the same submission twice is one request
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    duplicate_of       INTEGER REFERENCES patch_request (id),
    withdrawn_at       TEXT,
    CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);

INSERT INTO patch_request_new (id, title, category, severity, bug_link, fix_link, impact, risk, risk_reason, testing,
    verified_on_daily, workaround, cve_id, embargoed, requester_id, triage_owner_id, status, deferred_to, dedupe_key,
    created_at, updated_at, duplicate_of)
SELECT id, title, category, severity, bug_link, fix_link, impact, risk, risk_reason, testing,
    verified_on_daily, workaround, cve_id, embargoed, requester_id, triage_owner_id, status, deferred_to, dedupe_key,
    created_at, updated_at, duplicate_of
FROM patch_request;

DROP TABLE patch_request;
ALTER TABLE patch_request_new RENAME TO patch_request;

CREATE INDEX patch_request_by_status ON patch_request (status, id DESC);
CREATE INDEX patch_request_by_requester ON patch_request (requester_id, dedupe_key);
CREATE INDEX patch_request_by_original ON patch_request (duplicate_of) WHERE duplicate_of IS NOT NULL;

CREATE TRIGGER patch_request_search_insert AFTER INSERT ON patch_request BEGIN
    INSERT INTO patch_request_search (rowid, title, bug_link, fix_link, cve_id, requester)
    VALUES (new.id, new.title, new.bug_link, COALESCE(new.fix_link, ''), COALESCE(new.cve_id, ''),
            (SELECT name FROM user WHERE id = new.requester_id));
END;

CREATE TRIGGER patch_request_search_update
AFTER UPDATE OF title, bug_link, fix_link, cve_id, requester_id ON patch_request BEGIN
    DELETE FROM patch_request_search WHERE rowid = old.id;
    INSERT INTO patch_request_search (rowid, title, bug_link, fix_link, cve_id, requester)
    VALUES (new.id, new.title, new.bug_link, COALESCE(new.fix_link, ''), COALESCE(new.cve_id, ''),
            (SELECT name FROM user WHERE id = new.requester_id));
END;

CREATE TRIGGER patch_request_search_delete AFTER DELETE ON patch_request BEGIN
    DELETE FROM patch_request_search WHERE rowid = old.id;
END;

-- Search over what people remember of a request: its title, bug and fix links, CVE id and
-- requester. A full-text index (SQLite FTS5) kept in step by triggers, so every way a request
-- is written, now or later, keeps it current.
CREATE VIRTUAL TABLE patch_request_search USING fts5(title, bug_link, fix_link, cve_id, requester);

INSERT INTO patch_request_search (rowid, title, bug_link, fix_link, cve_id, requester)
SELECT pr.id, pr.title, pr.bug_link, COALESCE(pr.fix_link, ''), COALESCE(pr.cve_id, ''), u.name
FROM patch_request pr JOIN user u ON u.id = pr.requester_id;

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

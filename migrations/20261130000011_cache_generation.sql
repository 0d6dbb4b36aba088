-- One number every write that changes what a page shows increments, in the same transaction.
-- Servers compare it to decide whether their in-memory caches are still valid, so a write made
-- by any process (the command line, a second server) empties them.
CREATE TABLE cache_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO cache_generation (id, n) VALUES (1, 0);

-- Calendar corrections (issue 4): why a planned date moved, a revision counter for calendar
-- subscribers (ICS SEQUENCE), and blackout days the schedule skips.
ALTER TABLE release ADD COLUMN date_note TEXT;
ALTER TABLE release ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

CREATE TABLE blackout (
    date        TEXT PRIMARY KEY NOT NULL,   -- YYYY-MM-DD
    reason      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

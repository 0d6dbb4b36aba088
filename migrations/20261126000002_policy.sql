-- The train's cadence and support policy (DESIGN §2 rules 9 and 10): one row, absent until an
-- admin saves it, in which case the built-in defaults apply.
CREATE TABLE policy (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    minor_release         TEXT NOT NULL,     -- "4th Tuesday"
    patch_deadline        TEXT NOT NULL,     -- "1st Friday"
    patch_target          TEXT NOT NULL,     -- "2nd Tuesday"
    weekly_qualification  TEXT NOT NULL,     -- "Wednesday"
    daily_cut_hour        INTEGER NOT NULL CHECK (daily_cut_hour BETWEEN 0 AND 23),
    branch_cut_days       INTEGER NOT NULL CHECK (branch_cut_days >= 0),
    code_freeze_days      INTEGER NOT NULL CHECK (code_freeze_days >= 0),
    support_weeks         INTEGER NOT NULL CHECK (support_weeks > 0),
    support_successor     INTEGER NOT NULL CHECK (support_successor > 0),
    updated_at            TEXT NOT NULL
);

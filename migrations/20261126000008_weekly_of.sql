-- One weekly build per week: the Monday of the week a build was chosen for, unique.
ALTER TABLE build ADD COLUMN weekly_of TEXT;
CREATE UNIQUE INDEX build_one_weekly_per_week ON build (weekly_of) WHERE weekly_of IS NOT NULL;

-- +up
-- Incremental runs: what each loaded day was built from, so that a day
-- fetched again unchanged is not transformed and loaded again.
ALTER TABLE loaded_days ADD COLUMN input_hash VARCHAR;

-- How many days a run processed, and how many it found unchanged.
ALTER TABLE runs ADD COLUMN days_processed INTEGER DEFAULT 0;
ALTER TABLE runs ADD COLUMN days_unchanged INTEGER DEFAULT 0;
-- The process that ran it, to tell a live run from one that was killed.
ALTER TABLE runs ADD COLUMN pid INTEGER;

-- +up
-- A row id is one blob, across days too. Of a day's (and a run's)
-- duplicates, how many were re-deliveries whose content differed from
-- the copy kept: the data health page shows them.
ALTER TABLE loaded_days ADD COLUMN conflicts BIGINT DEFAULT 0;
ALTER TABLE runs ADD COLUMN conflicts BIGINT DEFAULT 0;

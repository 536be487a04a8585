-- +up
-- Every session has its events list since data migration 0007 filled the
-- ones loaded before 0004, and transform always writes one: say so in the
-- schema, as the sessions Parquet does.
ALTER TABLE sessions ALTER COLUMN events SET NOT NULL;

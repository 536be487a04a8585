-- +up
-- The registry of fact definitions (sql/facts/<fact>/vN.sql): shared,
-- versioned relations keyed by blob that KPI versions read (their
-- header's facts: field), and that compute builds once per run of days
-- for every version reading them. Like a KPI version, a fact version is
-- immutable: the hash of the SQL that KPI results were computed with is
-- kept here, and a file whose SQL changed since is refused.
CREATE TABLE facts (
    fact              VARCHAR   NOT NULL, -- fact id, the directory under sql/facts
    version           INTEGER   NOT NULL, -- N of sql/facts/<fact>/vN.sql
    description       VARCHAR   NOT NULL,
    reads             VARCHAR[] NOT NULL, -- the facts its query reads, as 'blobs v1'
    path              VARCHAR   NOT NULL, -- sql/facts/<fact>/vN.sql
    sha256            VARCHAR,            -- of the SQL KPI results were computed with; NULL until then
    sql               VARCHAR,            -- that SQL
    computed_at       TIMESTAMP,          -- UTC, when that hash was recorded
    last_build_ms     BIGINT,             -- time spent building it in the last computation that read it
    last_build_chunks INTEGER             -- how many runs of days that computation built it for
);

-- The facts each KPI version's header lists, as 'blobs v1'.
ALTER TABLE kpis ADD COLUMN facts VARCHAR[];

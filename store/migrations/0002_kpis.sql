-- +up
-- The compute stage's tables: every version of every KPI side by side, and
-- the registry of KPI definitions (select * from kpis).

-- One row per KPI version, day, segment and funnel step. No key constraint:
-- DuckDB 1.1 refuses a delete and re-insert of one key in one transaction,
-- which is exactly how a day is replaced; the runner checks the rows of each
-- KPI query for duplicates instead.
CREATE TABLE kpi_results (
    kpi          VARCHAR NOT NULL, -- KPI id, the directory under sql/kpis
    version      INTEGER NOT NULL, -- N of sql/kpis/<kpi>/vN.sql
    day          DATE    NOT NULL, -- UTC day
    segmentation VARCHAR NOT NULL, -- Total, or a segmentation name (OS, Browser, ...)
    segment      VARCHAR NOT NULL, -- Total, or the segment value (Windows 7, Other, ...)
    step         VARCHAR NOT NULL, -- funnel step or quantile name; '' for a plain time series
    value        DOUBLE  NOT NULL,
    numerator    DOUBLE,           -- what value is made of, to re-aggregate ranges of days
    denominator  DOUBLE
);

-- One row per KPI version the runner has seen: the header fields of its
-- file, and the SQL it last computed with (hash, text, when, which days).
CREATE TABLE kpis (
    kpi           VARCHAR   NOT NULL,
    version       INTEGER   NOT NULL,
    title         VARCHAR   NOT NULL,
    question      VARCHAR   NOT NULL,
    unit          VARCHAR   NOT NULL, -- count, rate, mean, median, ms
    kind          VARCHAR   NOT NULL, -- timeseries, funnel, quantiles
    segmentations VARCHAR[] NOT NULL, -- Total, OS, ... as the header lists them
    description   VARCHAR   NOT NULL,
    path          VARCHAR   NOT NULL, -- sql/kpis/<kpi>/vN.sql
    sha256        VARCHAR,            -- of the SQL last computed; NULL until then
    sql           VARCHAR,            -- that SQL
    computed_at   TIMESTAMP,          -- UTC, when it last computed
    computed_from DATE,               -- first and last day ever computed with this SQL
    computed_to   DATE
);

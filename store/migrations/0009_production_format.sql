-- +up
-- The data as Persona really sent it (docs/data.md §1.3, §1.4).

-- XHR events carry their duration, and folded ones a repeat count; NULL
-- for events of two elements.
ALTER TABLE events ADD COLUMN duration_ms BIGINT;
ALTER TABLE events ADD COLUMN repeat_count INTEGER;

-- The server's census entries: one row per server-side event, not
-- sampled, deduplicated by id like blobs.
CREATE TABLE server_events (
    id              VARCHAR   NOT NULL, -- KPIggybank row id
    day             DATE      NOT NULL, -- UTC day of ts
    ts              TIMESTAMP NOT NULL,
    type            VARCHAR   NOT NULL, -- signin, complete_user_creation.success, ...
    os              VARCHAR,            -- the user agent, as the server's parser filled it
    browser         VARCHAR,
    browser_version VARCHAR,
    idp             VARCHAR,            -- the identity provider's domain, for idp.* types
    rp              VARCHAR,            -- the site's origin
    source          VARCHAR   NOT NULL
);

-- The accounting gains a term: fetched = loaded + server_events +
-- duplicates + rejected, per day and per run.
ALTER TABLE loaded_days ADD COLUMN server_events BIGINT DEFAULT 0;
ALTER TABLE runs ADD COLUMN server_events BIGINT DEFAULT 0;

-- Day profiles for the data health page, written with each day's load:
-- census entries by type, and the blobs at each sample rate by OS
-- segment (the rate is set per user agent, so a change in this mix moves
-- every unweighted number).
CREATE TABLE day_server_types (
    day    DATE    NOT NULL,
    type   VARCHAR NOT NULL,
    events BIGINT  NOT NULL
);

CREATE TABLE day_sample_rates (
    day         DATE    NOT NULL,
    os          VARCHAR NOT NULL, -- the OS segment (seg_os)
    sample_rate DOUBLE,           -- NULL where the blob had none
    sessions    BIGINT  NOT NULL
);

-- The sample-rate mix of the days loaded before (a small aggregate).
INSERT INTO day_sample_rates
SELECT day, seg_os, sample_rate, count(*) FROM sessions GROUP BY day, seg_os, sample_rate;

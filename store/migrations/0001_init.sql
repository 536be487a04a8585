-- +up
-- The pipeline's tables. Column order matches the Parquet written by transform.

CREATE TABLE sessions (
    id                      VARCHAR   NOT NULL, -- KPIggybank row id, or sha1 of a bare blob's text
    day                     DATE      NOT NULL, -- UTC day of ts
    ts                      TIMESTAMP NOT NULL, -- blob timestamp (UTC, rounded down to 10 minutes by the dialog)
    sample_rate             DOUBLE,
    lang                    VARCHAR,
    screen_width            INTEGER,
    screen_height           INTEGER,
    os                      VARCHAR,
    browser                 VARCHAR,
    browser_version         VARCHAR,
    number_emails           INTEGER,
    number_sites_signed_in  INTEGER   NOT NULL, -- first non-zero of the three historical names, else 0
    number_sites_remembered INTEGER,
    new_account             BOOLEAN,
    email_type              VARCHAR,
    rp_api                  VARCHAR,
    orphaned                BOOLEAN,
    event_count             INTEGER   NOT NULL,
    duration_ms             BIGINT    NOT NULL, -- offset of the last event
    seg_os                  VARCHAR   NOT NULL,
    seg_browser             VARCHAR   NOT NULL,
    seg_screen              VARCHAR   NOT NULL,
    seg_emails              VARCHAR   NOT NULL,
    seg_locale              VARCHAR   NOT NULL,
    seg_api                 VARCHAR   NOT NULL,
    seg_email_type          VARCHAR   NOT NULL,
    source                  VARCHAR   NOT NULL
);

CREATE TABLE events (
    day        DATE    NOT NULL,
    session_id VARCHAR NOT NULL,
    seq        INTEGER NOT NULL, -- position in the event stream, from 0
    name       VARCHAR NOT NULL, -- user.email_confrimed is normalized to user.email_confirmed
    offset_ms  BIGINT  NOT NULL, -- ms since the dialog opened
    delta_ms   BIGINT  NOT NULL  -- ms since the previous event (offset_ms for the first)
);

CREATE TABLE rejects (
    day     DATE    NOT NULL, -- the partition it belongs to: its own day if known, else its window's
    blob_day DATE,            -- its own day, when its timestamp could be read
    id      VARCHAR,          -- row id, when there was one
    source  VARCHAR NOT NULL,
    reason  VARCHAR NOT NULL, -- reason code, see README
    detail  VARCHAR NOT NULL, -- one line saying what was wrong
    raw     VARCHAR NOT NULL  -- the element's text as received
);

-- One row per day loaded; replaced in the same transaction as the day's data.
CREATE TABLE loaded_days (
    day        DATE      PRIMARY KEY,
    run_id     BIGINT    NOT NULL,
    loaded_at  TIMESTAMP NOT NULL,
    fetched    BIGINT    NOT NULL,
    loaded     BIGINT    NOT NULL,
    duplicates BIGINT    NOT NULL,
    rejected   BIGINT    NOT NULL
);

CREATE SEQUENCE runs_id_seq START 1;

CREATE TABLE runs (
    id         BIGINT    PRIMARY KEY DEFAULT nextval('runs_id_seq'),
    command    VARCHAR   NOT NULL, -- run, load, ...
    started_at TIMESTAMP NOT NULL,
    ended_at   TIMESTAMP,
    status     VARCHAR   NOT NULL, -- running, success, failed
    source     VARCHAR   NOT NULL, -- credential-free
    from_day   DATE,
    to_day     DATE,
    fetched    BIGINT    NOT NULL DEFAULT 0,
    loaded     BIGINT    NOT NULL DEFAULT 0,
    duplicates BIGINT    NOT NULL DEFAULT 0,
    rejected   BIGINT    NOT NULL DEFAULT 0,
    error      VARCHAR
);

-- +up
-- Each session's distinct event names, in order of first appearance
-- (transform writes them from format 2 on). KPIs test a session's events
-- here instead of grouping the events table for every run.
ALTER TABLE sessions ADD COLUMN events VARCHAR[];

-- Sessions loaded before are filled in one day at a time after the
-- migration (load.fillEventLists): one statement over the whole history
-- would not fit the writer's memory limit. These are the days to fill; a
-- day leaves the table in the transaction that fills it.
CREATE TABLE event_lists_pending AS SELECT DISTINCT day FROM sessions;

-- Day profiles, written with each day's load: the data health page reads
-- these small tables, not the history of sessions and events.
--
-- How often each event name occurred on a day, and in how many sessions.
CREATE TABLE day_event_names (
    day      DATE    NOT NULL,
    name     VARCHAR NOT NULL,
    events   BIGINT  NOT NULL,
    sessions BIGINT  NOT NULL
);

-- The raw values behind each segmentation's Other on a day (raw is NULL
-- where the blob had no value), and in how many sessions.
CREATE TABLE day_other_values (
    day          DATE    NOT NULL,
    segmentation VARCHAR NOT NULL,
    raw          VARCHAR,
    sessions     BIGINT  NOT NULL
);

-- The profiles of the days from..to, as load writes them.
CREATE MACRO event_names_of(from_day, to_day) AS TABLE
    WITH counted AS (
        SELECT day, name, count(*) AS events FROM events
        WHERE day BETWEEN from_day AND to_day GROUP BY day, name
    ), sessions_with AS (
        SELECT day, name, count(*) AS sessions
        FROM (SELECT day, unnest(events) AS name FROM sessions WHERE day BETWEEN from_day AND to_day)
        GROUP BY day, name
    )
    SELECT c.day, c.name, c.events, coalesce(s.sessions, 0) AS sessions
    FROM counted c LEFT JOIN sessions_with s USING (day, name);

CREATE MACRO other_values_of(from_day, to_day) AS TABLE
    WITH days AS (SELECT * FROM sessions WHERE day BETWEEN from_day AND to_day),
    other AS (
        SELECT day, 'OS' AS segmentation, os AS raw FROM days WHERE seg_os = 'Other'
        UNION ALL SELECT day, 'Browser', browser FROM days WHERE seg_browser = 'Other'
        UNION ALL SELECT day, 'Screen', CAST(screen_width AS VARCHAR) FROM days WHERE seg_screen = 'Other'
        UNION ALL SELECT day, 'Emails', CAST(number_emails AS VARCHAR) FROM days WHERE seg_emails = 'Other'
        UNION ALL SELECT day, 'Locale', lang FROM days WHERE seg_locale = 'Other'
        UNION ALL SELECT day, 'API', rp_api FROM days WHERE seg_api = 'Other'
        UNION ALL SELECT day, 'EmailType', email_type FROM days WHERE seg_email_type = 'Other'
    )
    SELECT day, segmentation, raw, count(*) AS sessions FROM other GROUP BY day, segmentation, raw;

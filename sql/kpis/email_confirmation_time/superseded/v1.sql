-- id: email_confirmation_time
-- version: 1
-- title: Email confirmation time
-- question: How long do new users take to confirm their email address?
-- unit: ms
-- kind: quantiles
-- order: 13
-- better: lower
-- segmentations: Total, Browser, OS
-- description: Milliseconds from user.user_staged (a new user chose a
--   password and Persona sent the confirmation email) to the
--   user.user_confirmed that follows it (the next of the two events in the
--   stream) while the dialog waited: the time the user took to confirm the
--   email address. Each such pair is one observation; a pair whose offsets
--   run backwards is left out. Steps p50 (median) and p95, interpolated
--   (quantile_cont). numerator NULL, denominator = the number of
--   observations. New in this project.

WITH marks AS (
    SELECT
        session_id AS id,
        day,
        name,
        offset_ms,
        lead(name) OVER stream AS next_name,
        lead(offset_ms) OVER stream AS next_offset_ms
    FROM kpi_events
    WHERE name IN ('user.user_staged', 'user.user_confirmed')
    WINDOW stream AS (PARTITION BY session_id, day ORDER BY seq)
),
durations AS (
    SELECT id, day, next_offset_ms - offset_ms AS ms
    FROM marks
    WHERE name = 'user.user_staged'
        AND next_name = 'user.user_confirmed'
        AND next_offset_ms >= offset_ms
),
quantiles AS (
    SELECT
        g.day,
        g.segmentation,
        g.segment,
        count(*) AS observations,
        quantile_cont(d.ms, 0.50) AS p50,
        quantile_cont(d.ms, 0.95) AS p95
    FROM durations d
    JOIN kpi_segments g ON g.id = d.id AND g.day = d.day
    WHERE g.segmentation IN ('Total', 'Browser', 'OS')
    GROUP BY g.day, g.segmentation, g.segment
)
SELECT
    day,
    segmentation,
    segment,
    step,
    value,
    NULL AS numerator,
    observations AS denominator
FROM quantiles
UNPIVOT (value FOR step IN (p50, p95))

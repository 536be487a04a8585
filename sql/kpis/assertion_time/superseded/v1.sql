-- id: assertion_time
-- version: 1
-- title: Assertion generation time
-- question: How long does generating an assertion take on users' devices?
-- unit: ms
-- kind: quantiles
-- order: 12
-- better: lower
-- segmentations: Total, Browser, OS
-- description: Milliseconds from a generate_assertion event to the
--   assertion_generated that answers it (the next of the two events in the
--   stream): the time the crypto took on the user's device. Each such pair
--   is one observation; a pair whose offsets run backwards is left out.
--   Steps p50 (median) and p95, interpolated (quantile_cont). numerator
--   NULL, denominator = the number of observations. New in this project.

WITH marks AS (
    SELECT
        session_id AS id,
        day,
        name,
        offset_ms,
        lead(name) OVER stream AS next_name,
        lead(offset_ms) OVER stream AS next_offset_ms
    FROM kpi_events
    WHERE name IN ('generate_assertion', 'assertion_generated')
    WINDOW stream AS (PARTITION BY session_id, day ORDER BY seq)
),
durations AS (
    SELECT id, day, next_offset_ms - offset_ms AS ms
    FROM marks
    WHERE name = 'generate_assertion'
        AND next_name = 'assertion_generated'
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

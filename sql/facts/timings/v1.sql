-- id: timings
-- version: 1
-- description: Durations measured in the event streams of the days being
--   computed, one row each: blob, day, timing and ms. timing assertion:
--   from a generate_assertion to the assertion_generated that answers it
--   (the next of the two events in the stream), the time the crypto took
--   on the user's device; email_confirmation: from user.user_staged to the
--   user.user_confirmed that follows it (the next of the two events), the
--   time a new user took to confirm the address while the dialog waited;
--   dialog_load: the offset of the blob's first user.can_interact (in
--   stream order), the time the dialog took to become usable. ms is the
--   difference of the two events' offsets, or the offset itself for
--   dialog_load, and can be negative: the dialog measures offsets with the
--   wall clock, which can step back, and a KPI leaves those out. A blob
--   of kpi_blobs only; an event whose blob has no row there is not read.

WITH marks AS MATERIALIZED (
    -- the events the timings are made of, with their blob; mark numbers
    -- the five names (0 user.can_interact, 1 generate_assertion, 2
    -- assertion_generated, 3 user.user_staged, 4 user.user_confirmed)
    SELECT
        b.blob,
        e.day,
        e.seq,
        e.offset_ms,
        CASE e.name
            WHEN 'user.can_interact' THEN 0
            WHEN 'generate_assertion' THEN 1
            WHEN 'assertion_generated' THEN 2
            WHEN 'user.user_staged' THEN 3
            ELSE 4
        END AS mark
    FROM kpi_events e
    JOIN kpi_blobs b ON b.id = e.session_id AND b.day = e.day
    WHERE e.name IN ('user.can_interact', 'generate_assertion', 'assertion_generated', 'user.user_staged', 'user.user_confirmed')
),
pairs AS (
    -- each event of a pair with the next event of its pair in the stream
    SELECT
        blob,
        day,
        mark,
        offset_ms,
        lead(mark) OVER stream AS next_mark,
        lead(offset_ms) OVER stream AS next_offset_ms
    FROM marks
    WHERE mark > 0
    WINDOW stream AS (PARTITION BY blob, mark <= 2 ORDER BY seq)
)
SELECT
    blob,
    day,
    CASE mark WHEN 1 THEN 'assertion' ELSE 'email_confirmation' END AS timing,
    next_offset_ms - offset_ms AS ms
FROM pairs
WHERE (mark = 1 AND next_mark = 2) OR (mark = 3 AND next_mark = 4)
UNION ALL
SELECT blob, day, 'dialog_load', arg_min(offset_ms, seq)
FROM marks
WHERE mark = 0
GROUP BY blob, day

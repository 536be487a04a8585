-- id: xhr_latency
-- version: 2
-- title: XHR latency (estimated)
-- question: How long do the dialog's requests to the server take?
-- unit: ms
-- kind: quantiles
-- order: 15
-- better: lower
-- segmentations: Total, Endpoint
-- estimate: quantiles p50 p95
-- description: The duration of the dialog's XHR events (v1's observations
--   and Endpoint segments: a folded event counts once, an event without a
--   duration or with a negative one is left out), over all dialog
--   sessions, sampled or not, estimated from the sampled ones: each
--   observation weighs its blob's 1/sample_rate, so phones, sampled more
--   often than desktops, no longer count more. Steps p50 (median) and
--   p95: the weighted quantile, the first observed value at which the
--   running weight reaches q of the whole, with a 95% interval from the
--   order statistics at the weight shares q ± 1.96·√(q·(1−q)/n_eff)
--   (Woodruff), NULL where those shares fall outside the data. Unlike
--   v1's, a value is one that was observed, not interpolated. numerator
--   NULL, denominator = n = the observations (events, not requests).

WITH endpoints AS (
    -- The endpoint of each XHR name (a day has a few dozen), as v1 names
    -- it: only names of the expected shape become segments, since event
    -- names come from users' browsers. xhr./ and not xhr.: an old name is
    -- xhr.<url>, the url a path, which leaves out xhr.malformed_report.
    SELECT
        name,
        CASE
            WHEN regexp_full_match(name, 'xhr_complete\.[A-Z]+/wsapi/[A-Za-z0-9_]+')
                THEN regexp_replace(name, '^xhr_complete\.([A-Z]+)', '\1 ')
            WHEN regexp_full_match(name, 'xhr\./wsapi/[A-Za-z0-9_]+')
                THEN substr(name, length('xhr.') + 1)
            ELSE 'Other'
        END AS endpoint
    FROM (
        SELECT DISTINCT name
        FROM kpi_events
        WHERE starts_with(name, 'xhr_complete.') OR starts_with(name, 'xhr./')
    )
)
-- One row per XHR event with a duration, in Total and in its Endpoint,
-- weighing its blob's weight. A NULL duration fails the test too.
SELECT
    e.day,
    s.segmentation,
    CASE s.segmentation WHEN 'Endpoint' THEN n.endpoint ELSE 'Total' END AS segment,
    '' AS step,
    b.weight AS w,
    e.duration_ms AS y
FROM kpi_events e
JOIN endpoints n USING (name)
JOIN kpi_blobs b ON b.id = e.session_id AND b.day = e.day
CROSS JOIN (VALUES ('Total'), ('Endpoint')) s(segmentation)
WHERE e.duration_ms >= 0

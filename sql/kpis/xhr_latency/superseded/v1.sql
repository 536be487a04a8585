-- id: xhr_latency
-- version: 1
-- title: XHR latency
-- question: How long do the dialog's requests to the server take?
-- unit: ms
-- kind: quantiles
-- order: 15
-- better: lower
-- segmentations: Total, Endpoint
-- description: The duration (third element) of the dialog's XHR events:
--   how long a request to the Persona server took as the user's browser saw
--   it, network and server together. Every step of a sign-in waits on one
--   of these requests, so a slow endpoint is a slow dialog, and the
--   Endpoint segmentation says which request to look at. XHR events are
--   xhr_complete.<METHOD>/wsapi/<endpoint> (since 2012-10-09), segment
--   "<METHOD> /wsapi/<endpoint>" (e.g. "GET /wsapi/session_context"), and
--   the older xhr.<url> of 2012-10 to 2013-02-14, segment "/wsapi/<endpoint>"
--   (those names carry no method); a name of another shape (a hostile or
--   garbled one, too) is segment Other, so event names cannot grow the
--   page without bound. xhr.malformed_report names no endpoint and is not
--   an observation; neither is an event without a duration, nor one with a
--   negative duration (the wall clock stepped back). A folded event
--   (repeat_count N, the dialog polling the same endpoint N times in a row)
--   counts once: it carries one request's duration, not the N requests',
--   so counting it N times would invent N - 1 measurements, and one
--   user's long wait for a confirmation email (hundreds of polls) would
--   outweigh every other dialog of the day in its endpoint and in Total.
--   The quantiles are those of measured requests, each dialog's
--   measurement weighing the same. Total pools every endpoint. Steps p50
--   (median) and p95, interpolated (quantile_cont), unweighted. numerator
--   NULL, denominator = the number of observations (events, not
--   requests). New in this project.

WITH xhr AS (
    SELECT
        day,
        duration_ms AS ms,
        -- The endpoint as readers know it. Only names of the expected
        -- shape become segments: event names come from users' browsers.
        CASE
            WHEN regexp_full_match(name, 'xhr_complete\.[A-Z]+/wsapi/[A-Za-z0-9_]+')
                THEN regexp_replace(name, '^xhr_complete\.([A-Z]+)', '\1 ')
            WHEN regexp_full_match(name, 'xhr\./wsapi/[A-Za-z0-9_]+')
                THEN substr(name, length('xhr.') + 1)
            ELSE 'Other'
        END AS endpoint
    FROM kpi_events
    -- xhr./ and not xhr.: an old name is xhr.<url>, the url a path, which
    -- leaves out xhr.malformed_report. A NULL duration fails the test too.
    WHERE (starts_with(name, 'xhr_complete.') OR starts_with(name, 'xhr./'))
        AND duration_ms >= 0
)
-- Grouping sets give Total (all endpoints) and the Endpoint rows from one
-- scan; grouping(endpoint) is 1 on the Total rows. quantile_cont with a
-- list of quantiles gives a list of values; the two unnests run side by
-- side, one row per step.
SELECT
    day,
    CASE WHEN grouping(endpoint) = 1 THEN 'Total' ELSE 'Endpoint' END AS segmentation,
    CASE WHEN grouping(endpoint) = 1 THEN 'Total' ELSE endpoint END AS segment,
    unnest(['p50', 'p95']) AS step,
    unnest(quantile_cont(ms, [0.50, 0.95])) AS value,
    NULL AS numerator,
    count(*) AS denominator -- the observations
FROM xhr
GROUP BY GROUPING SETS ((day), (day, endpoint))

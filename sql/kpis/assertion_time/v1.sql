-- id: assertion_time
-- version: 1
-- title: Assertion generation time
-- question: How long does generating an assertion take on users' devices?
-- unit: ms
-- kind: quantiles
-- order: 12
-- better: lower
-- segmentations: Total, Browser, OS
-- facts: blobs v1, timings v1
-- supersedes: 4dda877e992d98b1fb83ad2f1a79207f5e1fca8edd79417e27a56670f3b4536b
-- description: Milliseconds from a generate_assertion event to the
--   assertion_generated that answers it (the next of the two events in the
--   stream): the time the crypto took on the user's device. Each such pair
--   is one observation; a pair whose offsets run backwards is left out.
--   Steps p50 (median) and p95, interpolated (quantile_cont). numerator
--   NULL, denominator = the number of observations. New in this project.

-- quantile_cont with a list of quantiles gives a list of values; the two
-- unnests run side by side, one row per step.
SELECT
    t.day,
    CASE
        WHEN grouping(b.seg_browser) = 0 THEN 'Browser'
        WHEN grouping(b.seg_os) = 0 THEN 'OS'
        ELSE 'Total'
    END AS segmentation,
    coalesce(b.seg_browser, b.seg_os, 'Total') AS segment,
    unnest(['p50', 'p95']) AS step,
    unnest(quantile_cont(t.ms, [0.50, 0.95])) AS value,
    NULL AS numerator,
    count(*) AS denominator -- the observations
FROM fact_timings_v1 t
JOIN fact_blobs_v1 b USING (blob)
WHERE t.timing = 'assertion' AND t.ms >= 0
GROUP BY t.day, GROUPING SETS ((), (b.seg_browser), (b.seg_os))

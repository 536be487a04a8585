-- id: dialog_load_time
-- version: 1
-- title: Dialog load time
-- question: How long does the dialog take to become usable?
-- unit: ms
-- kind: quantiles
-- order: 14
-- better: lower
-- segmentations: Total, Browser, OS
-- facts: blobs v1, timings v1
-- supersedes: ad55c48d01a46ebed7a86f5c32c62f16409382830c73fbbcb0eb899e2aa9cc78
-- description: The offset of a blob's first user.can_interact event (the
--   first in stream order): milliseconds from the dialog opening to the
--   moment the user could act in it, the load time as users felt it. A slow
--   dialog is waited for before anything else can happen, so this is the
--   first cost every sign-in pays, and a rise in one Browser or OS points
--   at a front-end or network problem there. Each blob with the event is
--   one observation; a blob without it (the dialog never became usable, or
--   an older stream) contributes nothing, and neither does a negative
--   offset (the dialog measures offsets with the wall clock, which can step
--   back): it is not a duration. A second user.can_interact (the dialog
--   loaded again in the same session) is not counted. Steps p50 (median)
--   and p95, interpolated (quantile_cont), unweighted. numerator NULL,
--   denominator = the number of observations. New in this project.

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
WHERE t.timing = 'dialog_load' AND t.ms >= 0
GROUP BY t.day, GROUPING SETS ((), (b.seg_browser), (b.seg_os))

-- id: email_confirmation_time
-- version: 1
-- title: Email confirmation time
-- question: How long do new users take to confirm their email address?
-- unit: ms
-- kind: quantiles
-- order: 13
-- better: lower
-- segmentations: Total, Browser, OS
-- facts: blobs v1, timings v1
-- supersedes: caa4c36eb9b4f224d36e0aed20eee8065e160c37da2b2e053733ff7611bae1b6
-- description: Milliseconds from user.user_staged (a new user chose a
--   password and Persona sent the confirmation email) to the
--   user.user_confirmed that follows it (the next of the two events in the
--   stream) while the dialog waited: the time the user took to confirm the
--   email address. Each such pair is one observation; a pair whose offsets
--   run backwards is left out. Steps p50 (median) and p95, interpolated
--   (quantile_cont). numerator NULL, denominator = the number of
--   observations. New in this project.

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
WHERE t.timing = 'email_confirmation' AND t.ms >= 0
GROUP BY t.day, GROUPING SETS ((), (b.seg_browser), (b.seg_os))

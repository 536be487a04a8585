-- id: email_confirmation_time
-- version: 2
-- title: Email confirmation time (estimated)
-- question: How long do new users take to confirm their email address?
-- unit: ms
-- kind: quantiles
-- order: 13
-- better: lower
-- segmentations: Total, Browser, OS
-- estimate: quantiles p50 p95
-- facts: blobs v1, timings v1
-- description: Milliseconds from user.user_staged to the
--   user.user_confirmed that follows it while the dialog waited (v1's
--   observations: a pair whose offsets run backwards is left out), the
--   time a new user took to confirm the address, over all dialog
--   sessions, sampled or not, estimated from the sampled ones: each
--   observation weighs its blob's 1/sample_rate. Steps p50 (median) and
--   p95: the weighted quantile, the first observed value at which the
--   running weight reaches q of the whole, with a 95% interval from the
--   order statistics at the weight shares q ± 1.96·√(q·(1−q)/n_eff)
--   (Woodruff), NULL where those shares fall outside the data. Unlike
--   v1's, a value is one that was observed, not interpolated. numerator
--   NULL, denominator = n = the observations.

-- One row per observation and segment: Total, and the blob's Browser and
-- OS. (A cross join with the segmentations: unnest of lists in the SELECT
-- costs ten times as much.)
SELECT
    t.day,
    s.segmentation,
    CASE s.segmentation WHEN 'Browser' THEN b.seg_browser WHEN 'OS' THEN b.seg_os ELSE 'Total' END AS segment,
    '' AS step,
    b.weight AS w,
    t.ms AS y
FROM fact_timings_v1 t
JOIN fact_blobs_v1 b USING (blob)
CROSS JOIN (VALUES ('Total'), ('Browser'), ('OS')) s(segmentation)
WHERE t.timing = 'email_confirmation' AND t.ms >= 0

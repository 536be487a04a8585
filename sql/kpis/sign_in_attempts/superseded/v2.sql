-- id: sign_in_attempts
-- version: 2
-- title: Sign-in attempts (estimated total)
-- question: How many sign-in attempts are there per day, sampling undone?
-- unit: count
-- kind: timeseries
-- order: 6
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- description: v1 with each blob weighted by 1/sample_rate, estimating the
--   real number of dialog sessions from the sampled ones. A blob whose
--   sample_rate is missing, 0, negative or above 1 weighs 1 (it is counted
--   as if every session had been sent). value = numerator = the weighted
--   count; denominator = the unweighted count (v1's value), so
--   value / denominator is the mean weight.

WITH weighted AS (
    SELECT
        day,
        segmentation,
        segment,
        CASE WHEN sample_rate > 0 AND sample_rate <= 1 THEN 1 / sample_rate ELSE 1 END AS weight
    FROM kpi_segments
)
SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    sum(weight) AS value,
    sum(weight) AS numerator,
    count(*) AS denominator
FROM weighted
GROUP BY day, segmentation, segment

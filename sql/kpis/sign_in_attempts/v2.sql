-- id: sign_in_attempts
-- version: 2
-- title: Sign-in attempts (estimated total)
-- question: How many sign-in attempts are there per day, sampling undone?
-- unit: count
-- kind: timeseries
-- order: 6
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: blobs v1
-- supersedes: a2f5f0e9519f9fcc8ea53c930b13a6676924ae1db6d0bdaca22c90b9d7b801f5
-- description: v1 with each blob weighted by 1/sample_rate, estimating the
--   real number of dialog sessions from the sampled ones. A blob whose
--   sample_rate is missing, 0, negative or above 1 weighs 1 (it is counted
--   as if every session had been sent). value = numerator = the weighted
--   count; denominator = the unweighted count (v1's value), so
--   value / denominator is the mean weight.

-- The runner computes on one thread: sum() adds the weights in the order
-- of the fact's rows on every run.
SELECT
    day,
    CASE
        WHEN grouping(seg_os) = 0 THEN 'OS'
        WHEN grouping(seg_browser) = 0 THEN 'Browser'
        WHEN grouping(seg_screen) = 0 THEN 'Screen'
        WHEN grouping(seg_emails) = 0 THEN 'Emails'
        WHEN grouping(seg_locale) = 0 THEN 'Locale'
        WHEN grouping(seg_api) = 0 THEN 'API'
        WHEN grouping(seg_email_type) = 0 THEN 'EmailType'
        ELSE 'Total'
    END AS segmentation,
    coalesce(seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, 'Total') AS segment,
    '' AS step,
    sum(weight) AS value,
    sum(weight) AS numerator,
    count(*) AS denominator
FROM fact_blobs_v1
GROUP BY day, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))

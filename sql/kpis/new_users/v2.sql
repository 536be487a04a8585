-- id: new_users
-- version: 2
-- title: New users per day (estimated total)
-- question: How many new users per day, sampling undone?
-- unit: count
-- kind: timeseries
-- order: 3
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: blobs v1
-- supersedes: 1e8f8ed2fb55770ff6a97aaf98f1f443661d7c3c50c77c8e188a53c568688fa6
-- description: v1 with each blob weighted by 1/sample_rate, estimating the
--   real number of new users from the sampled dialog sessions. A blob whose
--   sample_rate is missing, 0, negative or above 1 weighs 1. value =
--   numerator = the weighted count of idp and fallback outcomes;
--   denominator = the unweighted count (v1's value). Rows are v1's: a day
--   or segment with a shown dialog but no new user has value 0.

-- outcome is NULL for a blob whose dialog was not shown: a segment has a
-- row when it has a shown blob. The runner computes on one thread: sum()
-- adds the weights in the order of the fact's rows on every run.
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
    coalesce(sum(weight) FILTER (WHERE outcome IN ('idp', 'fallback')), 0) AS value,
    value AS numerator,
    count(*) FILTER (WHERE outcome IN ('idp', 'fallback')) AS denominator
FROM fact_blobs_v1
WHERE outcome IS NOT NULL
GROUP BY day, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))

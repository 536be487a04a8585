-- id: sites_signed_in
-- version: 3
-- title: Persona adoption (estimated mean)
-- question: How many sites are Persona users signed in to?
-- unit: mean
-- kind: timeseries
-- order: 5
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- estimate: mean
-- facts: blobs v1
-- description: The mean number of sites signed in to per dialog session,
--   estimated for all dialog sessions, sampled or not, from the sampled
--   blobs, each weighing 1/sample_rate: the ratio (Hájek) estimate
--   Σ w·sites / Σ w, with a normal 95% interval from its linearised
--   variance. numerator Σ w·sites, denominator Σ w, n the blobs.

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
    kpi_sums(weight, sites) AS sums
FROM fact_blobs_v1
GROUP BY day, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))

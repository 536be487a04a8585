-- id: sign_in_attempts
-- version: 4
-- title: Sign-in attempts (estimated, with interval)
-- question: How many sign-in attempts are there per day?
-- unit: count
-- kind: timeseries
-- order: 6
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- estimate: total
-- facts: blobs v1
-- description: All dialog sessions of the day, sampled or not, estimated
--   from the sampled blobs, each standing for 1/sample_rate sessions (1
--   when the rate is missing, 0, negative or above 1): the
--   Horvitz–Thompson total Σ w with its Poisson-sampling variance
--   Σ w·(w−1), 95% interval T ± 1.96·√Var, never below the blobs sampled.
--   Segments are v3's: Locale looks a lang without an alias of its own up
--   by its primary language subtag, so en-US counts as English. value =
--   numerator = the estimate, denominator NULL, n = the blobs sampled.

WITH locales AS (
    -- v3's Locale of each lang of the days (a few dozen): its own alias,
    -- else its primary subtag's, else the lang itself, if that is in the
    -- Locale list; else Other (a NULL lang too, which joins nothing).
    SELECT
        l.lang,
        coalesce(list.segment, 'Other') AS locale
    FROM (SELECT DISTINCT lang FROM fact_blobs_v1) l
    LEFT JOIN cfg_aliases whole ON whole.raw = l.lang
    LEFT JOIN cfg_aliases primary_tag ON primary_tag.raw = regexp_extract(l.lang, '^[^-_]+')
    LEFT JOIN (SELECT DISTINCT segment FROM cfg_segment_lists WHERE segmentation = 'Locale') list
        ON list.segment = coalesce(whole.alias, primary_tag.alias, l.lang)
),
blobs AS (
    SELECT b.*, coalesce(l.locale, 'Other') AS locale
    FROM fact_blobs_v1 b
    LEFT JOIN locales l ON l.lang = b.lang
)
SELECT
    day,
    CASE
        WHEN grouping(seg_os) = 0 THEN 'OS'
        WHEN grouping(seg_browser) = 0 THEN 'Browser'
        WHEN grouping(seg_screen) = 0 THEN 'Screen'
        WHEN grouping(seg_emails) = 0 THEN 'Emails'
        WHEN grouping(locale) = 0 THEN 'Locale'
        WHEN grouping(seg_api) = 0 THEN 'API'
        WHEN grouping(seg_email_type) = 0 THEN 'EmailType'
        ELSE 'Total'
    END AS segmentation,
    coalesce(seg_os, seg_browser, seg_screen, seg_emails, locale, seg_api, seg_email_type, 'Total') AS segment,
    '' AS step,
    kpi_sums(weight, 1) AS sums
FROM blobs
GROUP BY day, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (locale), (seg_api), (seg_email_type))

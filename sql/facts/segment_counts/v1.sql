-- id: segment_counts
-- version: 1
-- facts: blobs v1
-- description: The blobs of fact blobs counted per day and segment, and by
--   what the counting KPIs split them by: one row per day, segmentation,
--   segment, outcome, new_user_steps, orphaned and sites that has a blob,
--   with blobs, how many. segmentation and segment are Total/Total for
--   all of a day's blobs, and each of the seven segmentations with the
--   segment transform derived (OS from seg_os, Browser, Screen, Emails,
--   Locale, API, EmailType), as kpi_segments has them. 200,000 blobs make
--   about 4,600 rows: a KPI that counts blobs per segment, adds up their
--   sites or takes quantiles of those sums these rows instead of grouping
--   every blob eight times. Sums of doubles (weights) are not here: added
--   up in parts first, they would round differently from a sum over the
--   blobs.

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
    -- on a segmentation's rows, its column is the one not NULL
    coalesce(seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, 'Total') AS segment,
    outcome,
    new_user_steps,
    orphaned,
    sites,
    count(*) AS blobs
FROM fact_blobs_v1
GROUP BY day, outcome, new_user_steps, orphaned, sites,
    GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))

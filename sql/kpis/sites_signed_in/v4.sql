-- id: sites_signed_in
-- version: 4
-- title: Persona adoption (estimated shares)
-- question: How many sites are Persona users signed in to?
-- unit: rate
-- kind: shares
-- order: 5
-- better: none
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- estimate: rate
-- facts: blobs v1
-- description: The share of dialog sessions signed in to 0, 1, 2, and 3
--   or more sites (steps 0, 1, 2, 3 or more): the distribution behind
--   v2's median, which is a small whole number and seldom moves. Each
--   share is estimated for all dialog sessions, sampled or not, from the
--   sampled blobs, each weighing 1/sample_rate: the ratio estimate
--   Σ w·[in the category] / Σ w, with a Wilson 95% interval on the design
--   effective size. A negative count (not a count of sites) is left out.
--   Every category has a row for each day and segment with a blob, 0
--   where none is in it. numerator Σ w in the category, denominator Σ w,
--   n the blobs.

WITH categories AS (
    SELECT * FROM (VALUES (0, '0'), (1, '1'), (2, '2'), (3, '3 or more')) c(category, step)
),
parts AS (
    -- The blobs of each category, per day and segment, as they count in
    -- their own category's share (y = 1) and in the others' (y = 0).
    -- Grouping each blob once, rather than once per category, costs a
    -- quarter as much.
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
        least(sites, 3) AS category,
        kpi_sums(weight, 1) AS inside,
        kpi_sums(weight, 0) AS outside
    FROM fact_blobs_v1
    WHERE sites >= 0
    GROUP BY day, category, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))
)
-- Each category's share adds up every category's blobs of the day and
-- segment, those of its own with y = 1.
SELECT
    p.day,
    p.segmentation,
    p.segment,
    c.step,
    kpi_sums_add(CASE WHEN p.category = c.category THEN p.inside ELSE p.outside END) AS sums
FROM parts p
CROSS JOIN categories c
GROUP BY p.day, p.segmentation, p.segment, c.step

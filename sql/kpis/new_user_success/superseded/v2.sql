-- id: new_user_success
-- version: 2
-- title: New user success (estimated)
-- question: What share of would-be new users get an account and sign in?
-- unit: rate
-- kind: timeseries
-- order: 2
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- estimate: rate
-- facts: blobs v1
-- description: v1's rate, (idp + fallback) / (idp + fallback + bounce +
--   fail), estimated for all dialog sessions, sampled or not, from the
--   sampled blobs, each weighing 1/sample_rate: the ratio (Hájek) estimate
--   Σ w·y / Σ w over the would-be new users, y = 1 for those who got an
--   account, with a Wilson 95% interval on the design effective size.
--   Phones, sampled more often than desktops, no longer count more. A day
--   or segment without a would-be new user has no row. numerator Σ w·y,
--   denominator Σ w, n the blobs of the denominator.

-- The candidates are every outcome but assertion (a returning user);
-- outcome is NULL for a blob whose dialog was not shown.
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
    kpi_sums(weight, (outcome IN ('idp', 'fallback'))::INTEGER) AS sums
FROM fact_blobs_v1
WHERE outcome IN ('idp', 'fallback', 'bounce', 'fail')
GROUP BY day, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))

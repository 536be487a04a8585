-- id: new_users
-- version: 3
-- title: New users per day (estimated, with interval)
-- question: How many new users per day?
-- unit: count
-- kind: timeseries
-- order: 3
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType, Outcome
-- estimate: total
-- facts: blobs v1
-- description: The new users (outcomes idp and fallback, see v1) among all
--   dialog sessions, sampled or not, estimated from the sampled blobs,
--   each standing for 1/sample_rate sessions: the Horvitz–Thompson total
--   Σ w·y with its Poisson-sampling variance Σ w·(w−1)·y², 95% interval
--   T ± 1.96·√Var, never below the new users sampled. Rows are v1's: a
--   day or segment with a shown dialog but no new user is 0, [0, 0]. The
--   Outcome segmentation splits the new users by how the account was
--   made: fallback (Persona verified the address, the server's
--   complete_user_creation.success) and idp (an identity provider's
--   address, idp.create_new_user), each with a row for every day with a
--   shown dialog, to set against the server's census. numerator = value,
--   denominator NULL, n = the new users sampled.

-- outcome is NULL for a blob whose dialog was not shown: a segment has a
-- row when it has a shown blob.
WITH outcomes AS (
    SELECT
        day,
        kpi_sums(weight, (outcome = 'fallback')::INTEGER) AS fallback,
        kpi_sums(weight, (outcome = 'idp')::INTEGER) AS idp
    FROM fact_blobs_v1
    WHERE outcome IS NOT NULL
    GROUP BY day
)
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
WHERE outcome IS NOT NULL
GROUP BY day, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))
UNION ALL
-- Outcome: the new users of each kind, each a total over the same shown
-- blobs, so that a day without an idp account still has its idp row, 0.
SELECT day, 'Outcome', 'fallback', '', fallback
FROM outcomes
UNION ALL
SELECT day, 'Outcome', 'idp', '', idp
FROM outcomes

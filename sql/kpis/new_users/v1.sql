-- id: new_users
-- version: 1
-- title: New users per day
-- question: How many new users per day?
-- unit: count
-- kind: timeseries
-- order: 3
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: segment_counts v1
-- supersedes: 6c423e8ab734e4350b7bef6d7d73dab12ead2db32fa9280a9150efd232f42f99
-- description: The number of blobs whose new-user outcome is idp (a new
--   account at an identity provider) or fallback (a new account with a
--   Persona password). Outcomes, for blobs whose dialog was shown
--   (general-progress step 1 - Dialog shown): bounce if not engaged (step
--   2 - User engaged); else, with assertion_generated: fallback if it has
--   new-user steps (see new_user_flow), idp if new_account is true and it
--   shows screen.provision_primary_user, else assertion (a returning user);
--   without assertion_generated: fail. A day or segment with a shown dialog
--   but no new user has value 0. The original "New users per day" report.
--   numerator = value; denominator NULL.

-- outcome is NULL for a blob whose dialog was not shown: a segment has a
-- row when it has a shown blob.
SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    coalesce(sum(blobs) FILTER (WHERE outcome IN ('idp', 'fallback')), 0) AS value,
    value AS numerator,
    NULL AS denominator
FROM fact_segment_counts_v1
WHERE outcome IS NOT NULL
GROUP BY day, segmentation, segment

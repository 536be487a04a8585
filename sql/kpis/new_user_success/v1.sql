-- id: new_user_success
-- version: 1
-- title: New user success
-- question: What share of would-be new users get an account and sign in?
-- unit: rate
-- kind: timeseries
-- order: 2
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: segment_counts v1
-- supersedes: c135db39b8e7fae5be36017ecf7a00d5ae196adcc622a221abc96a8049cd6d60
-- description: (idp + fallback) / (idp + fallback + bounce + fail) over the
--   new-user outcomes (see new_users): the share of would-be new users who
--   got an account and signed in. Returning users (outcome assertion) are
--   left out. A day or segment whose denominator is 0 has no row. The
--   original "New user success" report. numerator = idp + fallback,
--   denominator = idp + fallback + bounce + fail.

-- outcome is NULL for a blob whose dialog was not shown.
WITH tallies AS (
    SELECT
        day,
        segmentation,
        segment,
        coalesce(sum(blobs) FILTER (WHERE outcome IN ('idp', 'fallback')), 0) AS new_users,
        coalesce(sum(blobs) FILTER (WHERE outcome <> 'assertion'), 0) AS candidates
    FROM fact_segment_counts_v1
    WHERE outcome IS NOT NULL
    GROUP BY day, segmentation, segment
)
SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    new_users::DOUBLE / candidates AS value,
    new_users AS numerator,
    candidates AS denominator
FROM tallies
WHERE candidates > 0

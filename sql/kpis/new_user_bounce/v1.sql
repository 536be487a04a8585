-- id: new_user_bounce
-- version: 1
-- title: New user bounce rate
-- question: What share of would-be new users leave without engaging?
-- unit: rate
-- kind: timeseries
-- order: 7
-- better: lower
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: segment_counts v1
-- supersedes: 65e92b3893770b7f8a1c25b5a2537bcbd4c6db253bbc581c9b3d1846ad63402f
-- description: bounce / (idp + fallback + bounce + fail) over the new-user
--   outcomes (see new_users): the share of shown dialogs left without any
--   engagement, among all but returning users' (outcome assertion). As the
--   original noted, this assumes that those who bounce or fail are mostly
--   new users. A day or segment whose denominator is 0 has no row. The
--   original "New user bounce rate" report. numerator = bounce, denominator
--   = idp + fallback + bounce + fail.

-- outcome is NULL for a blob whose dialog was not shown.
WITH tallies AS (
    SELECT
        day,
        segmentation,
        segment,
        coalesce(sum(blobs) FILTER (WHERE outcome = 'bounce'), 0) AS bounces,
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
    bounces::DOUBLE / candidates AS value,
    bounces AS numerator,
    candidates AS denominator
FROM tallies
WHERE candidates > 0

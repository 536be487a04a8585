-- id: sign_in_attempts
-- version: 3
-- title: Sign-in attempts (locale by language)
-- question: How many sign-in attempts are there per day, per language?
-- unit: count
-- kind: timeseries
-- order: 6
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: blobs v1, segment_counts v1
-- supersedes: b5c71948c8cb281a2f08dd57ce1e83621f05ac4883e944428b39f8ce77a84957
-- description: v1 with a better Locale segmentation: a lang with no alias of
--   its own is looked up by its primary language subtag (the part before
--   the first "-" or "_"), so en-US and en_GB count as English while pt-BR
--   keeps its own alias (Portuguese - Brazil). A value that is still not in
--   the Locale list is Other, as in v1. The other segmentations are v1's.
--   numerator = value; denominator NULL.

WITH langs AS (
    SELECT day, lang, count(*) AS blobs FROM fact_blobs_v1 GROUP BY day, lang
),
locales AS (
    -- The Locale segment of each lang (NULL included): its own alias,
    -- else its primary subtag's, else the lang itself, if that is in the
    -- Locale list; else Other.
    SELECT
        l.day,
        coalesce(list.segment, 'Other') AS locale,
        l.blobs
    FROM langs l
    LEFT JOIN cfg_aliases whole ON whole.raw = l.lang
    LEFT JOIN cfg_aliases primary_tag ON primary_tag.raw = regexp_extract(l.lang, '^[^-_]+')
    LEFT JOIN (SELECT DISTINCT segment FROM cfg_segment_lists WHERE segmentation = 'Locale') list
        ON list.segment = coalesce(whole.alias, primary_tag.alias, l.lang)
)
-- v1's rows but Locale's
SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    sum(blobs) AS value,
    sum(blobs) AS numerator,
    NULL AS denominator
FROM fact_segment_counts_v1
WHERE segmentation <> 'Locale'
GROUP BY day, segmentation, segment
UNION ALL
SELECT day, 'Locale', locale, '', sum(blobs), sum(blobs), NULL
FROM locales
GROUP BY day, locale

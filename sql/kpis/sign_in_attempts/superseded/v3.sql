-- id: sign_in_attempts
-- version: 3
-- title: Sign-in attempts (locale by language)
-- question: How many sign-in attempts are there per day, per language?
-- unit: count
-- kind: timeseries
-- order: 6
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- description: v1 with a better Locale segmentation: a lang with no alias of
--   its own is looked up by its primary language subtag (the part before
--   the first "-" or "_"), so en-US and en_GB count as English while pt-BR
--   keeps its own alias (Portuguese - Brazil). A value that is still not in
--   the Locale list is Other, as in v1. The other segmentations are v1's.
--   numerator = value; denominator NULL.

WITH locale AS (
    SELECT
        b.blob,
        b.day,
        coalesce(whole.alias, primary_tag.alias, b.lang) AS value
    FROM kpi_blobs b
    LEFT JOIN cfg_aliases whole ON whole.raw = b.lang
    LEFT JOIN cfg_aliases primary_tag ON primary_tag.raw = regexp_extract(b.lang, '^[^-_]+')
),
segments AS (
    SELECT blob, day, segmentation, segment FROM kpi_segments WHERE segmentation <> 'Locale'
    UNION ALL
    SELECT l.blob, l.day, 'Locale', coalesce(list.segment, 'Other')
    FROM locale l
    LEFT JOIN (SELECT DISTINCT segment FROM cfg_segment_lists WHERE segmentation = 'Locale') list
        ON list.segment = l.value
)
SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    count(*) AS value,
    count(*) AS numerator,
    NULL AS denominator
FROM segments
GROUP BY day, segmentation, segment

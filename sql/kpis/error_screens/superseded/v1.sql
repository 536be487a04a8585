-- id: error_screens
-- version: 1
-- title: Error screens
-- question: How often does the dialog show the user an error screen?
-- unit: rate
-- kind: timeseries
-- order: 16
-- better: lower
-- segmentations: Total, ErrorKey
-- description: The share of shown dialogs (blobs with screen.rp_info, what
--   the default general-progress step 1 - Dialog shown reads) that showed
--   an error screen: an event whose name starts with screen.error, anywhere
--   in the stream. An error screen ends the sign-in for most users, so this
--   is the dialog's failure rate as users met it, and the ErrorKey
--   segmentation says which failure: the <key> of
--   screen.error.<key>[.<status>] (the HTTP status is not split out;
--   xhrError.503 and xhrError.500 are both xhrError), "(none)" for the bare
--   screen.error. of dialogs before mid-2013, and Other for a name of
--   another shape (event names come from users' browsers). An error blob
--   that never showed the dialog (no screen.rp_info) counts in neither
--   numerator nor denominator: the value stays a share of shown dialogs,
--   comparable with bounce_rate, and never exceeds 1; such errors still
--   count in general_progress's step 3 - Error screen. Total: numerator =
--   shown blobs with an error screen, denominator = shown blobs. ErrorKey:
--   numerator = shown blobs with an error screen of that key, denominator =
--   all shown blobs of the day, so a key's row is the share of shown
--   dialogs that met that error; a blob with two keys counts once in each
--   and once in Total, so the keys can add up to more than Total. A key
--   that did not occur that day has no row; a day with shown dialogs and no
--   error has a Total row of 0. New in this project.

WITH shown AS (
    -- events holds each blob's distinct event names.
    SELECT
        blob,
        day,
        list_filter(events, e -> starts_with(e, 'screen.error')) AS errors
    FROM kpi_blobs
    WHERE list_contains(events, 'screen.rp_info')
),
daily AS (
    SELECT
        day,
        count(*) AS shown,
        count(*) FILTER (WHERE len(errors) > 0) AS with_error
    FROM shown
    GROUP BY day
),
blob_keys AS (
    -- Each key a blob showed, once per blob (DISTINCT: xhrError.503 and
    -- xhrError.500 in one blob are one xhrError).
    SELECT DISTINCT
        blob,
        day,
        CASE
            WHEN name IN ('screen.error.', 'screen.error') THEN '(none)'
            WHEN regexp_full_match(name, 'screen\.error\.[A-Za-z][A-Za-z0-9_]*(\.[0-9]+)?')
                THEN split_part(name, '.', 3)
            ELSE 'Other'
        END AS key
    FROM (SELECT blob, day, unnest(errors) AS name FROM shown)
)
SELECT
    day,
    'Total' AS segmentation,
    'Total' AS segment,
    '' AS step,
    with_error::DOUBLE / shown AS value,
    with_error AS numerator,
    shown AS denominator
FROM daily
UNION ALL
SELECT
    k.day,
    'ErrorKey',
    k.key,
    '',
    count(*)::DOUBLE / d.shown,
    count(*),
    d.shown
FROM blob_keys k
JOIN daily d USING (day)
GROUP BY k.day, k.key, d.shown

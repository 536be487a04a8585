-- id: bounce_rate
-- version: 1
-- title: Bounce rate
-- question: What share of shown dialogs are left without any engagement?
-- unit: rate
-- kind: timeseries
-- order: 8
-- better: lower
-- segmentations: Total
-- facts: blobs v1
-- supersedes: 5b3901bd757061b08f18c3cf87f5e06ddaf6e411492530dc89bd092384c4ddfd
-- description: 1 - (blobs with general-progress step 2 - User engaged /
--   blobs with step 1 - Dialog shown), per day: the share of shown dialogs
--   the user did nothing in. As in the original "Bounce rate" report the
--   engaged blobs are all engaged blobs, shown or not, so on odd data the
--   value can fall below 0. A day without a shown dialog has no row.
--   numerator = shown - engaged, denominator = shown.

-- shown and engaged are NULL for every blob when the flow has no such
-- step: then there is no row.
SELECT
    day,
    'Total' AS segmentation,
    'Total' AS segment,
    '' AS step,
    1 - count(*) FILTER (WHERE engaged)::DOUBLE / count(*) FILTER (WHERE shown) AS value,
    count(*) FILTER (WHERE shown) - count(*) FILTER (WHERE engaged) AS numerator,
    count(*) FILTER (WHERE shown) AS denominator
FROM fact_blobs_v1
GROUP BY day
HAVING count(*) FILTER (WHERE shown) > 0 AND count(engaged) > 0

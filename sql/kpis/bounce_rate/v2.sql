-- id: bounce_rate
-- version: 2
-- title: Bounce rate (estimated)
-- question: What share of shown dialogs are left without any engagement?
-- unit: rate
-- kind: timeseries
-- order: 8
-- better: lower
-- segmentations: Total
-- estimate: rate
-- facts: blobs v1
-- description: The share of shown dialogs (general-progress step 1 -
--   Dialog shown) the user did nothing in (not step 2 - User engaged),
--   estimated for all dialog sessions, sampled or not, from the sampled
--   blobs, each weighing 1/sample_rate: the ratio (Hájek) estimate
--   Σ w·y / Σ w over the shown blobs, y = 1 for one not engaged, with a
--   Wilson 95% interval on the design effective size. Unlike v1, which
--   subtracts every engaged blob, shown or not, an engaged blob whose
--   dialog was not shown counts nowhere, so the rate stays within 0 and 1.
--   A day without a shown dialog has no row. numerator Σ w·y, denominator
--   Σ w, n the shown blobs.

-- shown and engaged are NULL for every blob when the flow has no such
-- step: then there is no row.
SELECT
    day,
    'Total' AS segmentation,
    'Total' AS segment,
    '' AS step,
    kpi_sums(weight, (NOT engaged)::INTEGER) AS sums
FROM fact_blobs_v1
WHERE shown AND engaged IS NOT NULL
GROUP BY day

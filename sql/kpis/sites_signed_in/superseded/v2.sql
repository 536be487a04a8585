-- id: sites_signed_in
-- version: 2
-- title: Persona adoption (median)
-- question: How many sites does the typical Persona user sign in to?
-- unit: median
-- kind: quantiles
-- order: 5
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- description: The median number of sites signed in to, over the day's blobs
--   (the same per-blob count as v1), with the quartiles around it: steps
--   p25, p50 (the median) and p75, interpolated between neighbouring values
--   (quantile_cont), so a median can be 2.5. numerator NULL, denominator =
--   the number of blobs; quantiles of a range of days cannot be rebuilt
--   from the daily rows exactly.

WITH quartiles AS (
    SELECT
        day,
        segmentation,
        segment,
        count(*) AS blobs,
        quantile_cont(number_sites_signed_in, 0.25) AS p25,
        quantile_cont(number_sites_signed_in, 0.50) AS p50,
        quantile_cont(number_sites_signed_in, 0.75) AS p75
    FROM kpi_segments
    GROUP BY day, segmentation, segment
)
SELECT
    day,
    segmentation,
    segment,
    step,
    value,
    NULL AS numerator,
    blobs AS denominator
FROM quartiles
UNPIVOT (value FOR step IN (p25, p50, p75))

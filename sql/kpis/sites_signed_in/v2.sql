-- id: sites_signed_in
-- version: 2
-- title: Persona adoption (median)
-- question: How many sites does the typical Persona user sign in to?
-- unit: median
-- kind: quantiles
-- order: 5
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: segment_counts v1
-- supersedes: dcee1deb40d21758c04b19123c9f355af803de6590e253eb93d26d62bec43ac7
-- description: The median number of sites signed in to, over the day's blobs
--   (the same per-blob count as v1), with the quartiles around it: steps
--   p25, p50 (the median) and p75, interpolated between neighbouring values
--   (quantile_cont), so a median can be 2.5. numerator NULL, denominator =
--   the number of blobs; quantiles of a range of days cannot be rebuilt
--   from the daily rows exactly.

WITH histogram AS (
    -- how many blobs of each day and segment have each count of sites
    SELECT day, segmentation, segment, sites, sum(blobs) AS blobs
    FROM fact_segment_counts_v1
    GROUP BY day, segmentation, segment, sites
),
ranked AS (
    -- the ranks (from 0, by ascending count) of the blobs with each count
    SELECT
        *,
        sum(blobs) OVER below - blobs AS first_rank,
        sum(blobs) OVER below - 1 AS last_rank,
        sum(blobs) OVER (PARTITION BY day, segmentation, segment) AS n
    FROM histogram
    WINDOW below AS (PARTITION BY day, segmentation, segment ORDER BY sites ROWS UNBOUNDED PRECEDING)
),
quantiles AS (
    -- quantile_cont's rule: q is at rank (n - 1) * q, interpolated
    -- between the values at the ranks below and above it. With whole
    -- numbers and these q every step is exact, so the value is
    -- quantile_cont's to the last bit, without sorting every blob.
    SELECT DISTINCT day, segmentation, segment, n, q.step, (n - 1)::DOUBLE * q.q AS rank
    FROM ranked
    CROSS JOIN (VALUES ('p25', 0.25::DOUBLE), ('p50', 0.50::DOUBLE), ('p75', 0.75::DOUBLE)) q(step, q)
)
SELECT
    k.day,
    k.segmentation,
    k.segment,
    k.step,
    lo.sites::DOUBLE + (hi.sites::DOUBLE - lo.sites::DOUBLE) * (k.rank - floor(k.rank)) AS value,
    NULL AS numerator,
    k.n AS denominator
FROM quantiles k
JOIN ranked lo USING (day, segmentation, segment)
JOIN ranked hi USING (day, segmentation, segment)
WHERE floor(k.rank) BETWEEN lo.first_rank AND lo.last_rank
    AND ceil(k.rank) BETWEEN hi.first_rank AND hi.last_rank

-- id: sites_signed_in
-- version: 1
-- title: Persona adoption
-- question: How many sites are Persona users signed in to?
-- unit: mean
-- kind: timeseries
-- order: 5
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: segment_counts v1
-- supersedes: 3411a8cfa324d07abb1f91452e108513f57dc5b7c358fa5126951b0badd5f2ce
-- description: The mean, over the day's blobs, of the number of sites the
--   user was signed in to when the blob was sent (the first non-zero of
--   number_sites_logged_in, sites_signed_in and number_sites_signed_in,
--   else 0). As the original dashboard warned, this is not the mean number
--   of sites a Persona user is signed in to: users who sign in more often
--   send more blobs. The original "Persona adoption" report.
--   numerator = the sum of the counts, denominator = the number of blobs.

SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    sum(blobs * sites)::DOUBLE / sum(blobs) AS value,
    sum(blobs * sites) AS numerator,
    sum(blobs) AS denominator
FROM fact_segment_counts_v1
GROUP BY day, segmentation, segment

-- id: sites_signed_in
-- version: 1
-- title: Persona adoption
-- question: How many sites are Persona users signed in to?
-- unit: mean
-- kind: timeseries
-- order: 5
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
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
    sum(number_sites_signed_in)::DOUBLE / count(*) AS value,
    sum(number_sites_signed_in) AS numerator,
    count(*) AS denominator
FROM kpi_segments
GROUP BY day, segmentation, segment

-- id: sign_in_attempts
-- version: 1
-- title: Sign-in attempts
-- question: How many sign-in attempts are there per day?
-- unit: count
-- kind: timeseries
-- order: 6
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: segment_counts v1
-- supersedes: 6463d5a89962c7b3cd3694982c060140fbb2cc97206c16ef558e4bc44f5d6d7f
-- description: The number of interaction blobs with a non-empty event stream.
--   The dialog sends one blob per dialog session, so this approximates the
--   number of sign-in attempts (of the sampled sessions: see v2 for an
--   estimate of the real total). The original dashboard's "Sign-in attempts"
--   report. numerator = value; denominator NULL.

SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    sum(blobs) AS value,
    sum(blobs) AS numerator,
    NULL AS denominator
FROM fact_segment_counts_v1
GROUP BY day, segmentation, segment

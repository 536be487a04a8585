-- id: sign_in_attempts
-- version: 1
-- title: Sign-in attempts
-- question: How many sign-in attempts are there per day?
-- unit: count
-- kind: timeseries
-- order: 6
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
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
    count(*) AS value,
    count(*) AS numerator,
    NULL AS denominator
FROM kpi_segments
GROUP BY day, segmentation, segment

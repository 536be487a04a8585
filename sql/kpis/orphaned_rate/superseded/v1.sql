-- id: orphaned_rate
-- version: 1
-- title: Orphaned dialogs
-- question: How often is the dialog closed in the middle of a flow?
-- unit: rate
-- kind: timeseries
-- order: 11
-- better: lower
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- description: The share of blobs with orphaned = true: the dialog was
--   closed mid-flow, for example while waiting for an email confirmation. A
--   blob without the field counts as not orphaned. New in this project.
--   numerator = orphaned blobs, denominator = all blobs.

SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    count(*) FILTER (WHERE orphaned)::DOUBLE / count(*) AS value,
    count(*) FILTER (WHERE orphaned) AS numerator,
    count(*) AS denominator
FROM kpi_segments
GROUP BY day, segmentation, segment

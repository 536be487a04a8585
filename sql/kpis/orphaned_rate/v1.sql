-- id: orphaned_rate
-- version: 1
-- title: Orphaned dialogs
-- question: What share of dialogs are closed in the middle of a flow?
-- unit: rate
-- kind: timeseries
-- order: 11
-- better: lower
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: segment_counts v1
-- supersedes: ffb91f009d07e126eb1cfc58f966137b7fac055beb93a25a563a4f965ccd3e86
-- description: The share of blobs with orphaned = true: the dialog was
--   closed mid-flow, for example while waiting for an email confirmation. A
--   blob without the field counts as not orphaned. New in this project.
--   numerator = orphaned blobs, denominator = all blobs.

SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    coalesce(sum(blobs) FILTER (WHERE orphaned), 0)::DOUBLE / sum(blobs) AS value,
    coalesce(sum(blobs) FILTER (WHERE orphaned), 0) AS numerator,
    sum(blobs) AS denominator
FROM fact_segment_counts_v1
GROUP BY day, segmentation, segment

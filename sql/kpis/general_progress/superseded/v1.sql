-- id: general_progress
-- version: 1
-- title: General progress
-- question: How far do users get in the dialog?
-- unit: count
-- kind: funnel
-- order: 9
-- better: higher
-- segmentations: Total
-- description: The number of blobs reaching each step of the general-progress
--   flow (configuration flow general_progress): 0 - Blob sent (every blob),
--   1 - Dialog shown (screen.rp_info), 2 - User engaged (any of
--   screen.set_password, screen.pick_email, screen.provision_primary_user,
--   screen.verify_primary_user, authenticate.enter_password), 3 - Error
--   screen (any event whose name contains screen.error), 4 - Logged in
--   (assertion_generated). Steps are counted independently: a blob can be
--   engaged without the dialog having been shown. The original "General
--   progress" report. One row per step for each day with a blob;
--   numerator = value, denominator = the first step's (0 - Blob sent) count.

WITH steps AS (
    SELECT position, step, events FROM cfg_flow_steps WHERE flow = 'general_progress'
),
reached AS (
    SELECT b.day, s.position
    FROM kpi_blobs b
    CROSS JOIN steps s
    WHERE CASE
        -- a step without events (0 - Blob sent) is every blob's
        WHEN len(s.events) = 0 THEN true
        -- the fourth step (3 - Error screen) matches by substring, as the
        -- original did: any event whose name contains one of its events
        WHEN s.position = 4
            THEN len(list_filter(b.events, e -> len(list_filter(s.events, p -> contains(e, p))) > 0)) > 0
        ELSE list_has_any(b.events, s.events)
    END
),
counts AS (
    SELECT day, position, count(*) AS blobs FROM reached GROUP BY day, position
)
SELECT
    c.day,
    'Total' AS segmentation,
    'Total' AS segment,
    s.step,
    coalesce(sum(c.blobs) FILTER (WHERE c.position = s.position), 0) AS value,
    coalesce(sum(c.blobs) FILTER (WHERE c.position = s.position), 0) AS numerator,
    coalesce(sum(c.blobs) FILTER (WHERE c.position = 1), 0) AS denominator
FROM counts c
CROSS JOIN steps s
GROUP BY c.day, s.position, s.step

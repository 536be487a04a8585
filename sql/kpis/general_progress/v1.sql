-- id: general_progress
-- version: 1
-- title: General progress
-- question: How far do users get in the dialog?
-- unit: count
-- kind: funnel
-- order: 9
-- better: higher
-- segmentations: Total
-- facts: blobs v1
-- supersedes: caf71ac0d5e5378bbbeb2e996c5f28c0a90e1cf94ca175da792aca2e56286bdb
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

-- general_progress_steps is 0 for a blob not in the flow. Every step for every day with
-- a blob in it, 0 where no blob reached the step.
SELECT
    t.day,
    'Total' AS segmentation,
    'Total' AS segment,
    s.step,
    coalesce(sum(t.blobs) FILTER (WHERE t.reached & (1::UBIGINT << (s.position - 1)) <> 0), 0) AS value,
    value AS numerator,
    coalesce(sum(t.blobs) FILTER (WHERE t.reached & 1 <> 0), 0) AS denominator
FROM (
    SELECT day, general_progress_steps AS reached, count(*) AS blobs
    FROM fact_blobs_v1
    WHERE general_progress_steps <> 0
    GROUP BY day, reached
) t
CROSS JOIN (SELECT position, step FROM cfg_flow_steps WHERE flow = 'general_progress') s
GROUP BY t.day, s.position, s.step

-- id: new_user_flow
-- version: 1
-- title: New user flow
-- question: Can new users log in?
-- unit: count
-- kind: funnel
-- order: 1
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- facts: segment_counts v1
-- supersedes: 1e7020302d3b514be6d9136a8acc578c9327f7f51b0637536a88a80143e3e8d6
-- description: The number of blobs reaching each step of the new-user flow
--   (configuration flow new_user: 1 - Enter email, 2 - Choose password,
--   3 - Email verified, 4 - Logged in). A blob with staging_continuation
--   (the user is back from the confirmation email) has steps 3 and 4 if it
--   generated an assertion, else none. Any other blob is in the flow only if
--   it shows step 1 and not authenticate.enter_password (a returning user);
--   it then has every step whose event it contains. The original "New user
--   flow" and "New user flow over time" reports. One row per step for each
--   day and segment with a blob in the flow; numerator = value, denominator
--   = step 1's count, so value / denominator is the share reaching the step
--   (it can exceed 1: continuations skip step 1).

-- new_user_steps is 0 for a blob not in the flow. Every step of the flow
-- for every day and segment that has a blob in it, 0 where no blob
-- reached the step.
SELECT
    t.day,
    t.segmentation,
    t.segment,
    s.step,
    coalesce(sum(t.blobs) FILTER (WHERE t.new_user_steps & (1::UBIGINT << (s.position - 1)) <> 0), 0) AS value,
    value AS numerator,
    coalesce(sum(t.blobs) FILTER (WHERE t.new_user_steps & 1 <> 0), 0) AS denominator
FROM fact_segment_counts_v1 t
CROSS JOIN (SELECT position, step FROM cfg_flow_steps WHERE flow = 'new_user') s
WHERE t.new_user_steps <> 0
GROUP BY t.day, t.segmentation, t.segment, s.position, s.step

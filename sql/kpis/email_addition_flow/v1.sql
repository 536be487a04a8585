-- id: email_addition_flow
-- version: 1
-- title: Email addition flow
-- question: Can users add another email address?
-- unit: count
-- kind: funnel
-- order: 10
-- better: higher
-- segmentations: Total
-- facts: blobs v1
-- supersedes: 693077339d16a5d460f6ec053124636b284b1f8cf4e11ff83b1242b29705d1b6
-- description: The number of blobs reaching each step of the email-addition
--   flow (configuration flow email_addition: 1 - Add email
--   (user.email_staged), 2 - Email confirmed (user.email_confirmed, which
--   the dialog logged as user.email_confrimed), 3 - Logged in (assertion
--   generated)). A blob is in the flow only if it shows step 1; it then has
--   every step whose event it contains. New in this project, after the
--   original's "users successfully activating additional email addresses".
--   One row per step for each day with a blob in the flow; numerator =
--   value, denominator = step 1's count.

-- email_addition_steps is 0 for a blob not in the flow. Every step for every day with
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
    SELECT day, email_addition_steps AS reached, count(*) AS blobs
    FROM fact_blobs_v1
    WHERE email_addition_steps <> 0
    GROUP BY day, reached
) t
CROSS JOIN (SELECT position, step FROM cfg_flow_steps WHERE flow = 'email_addition') s
GROUP BY t.day, s.position, s.step

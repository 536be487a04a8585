-- id: password_reset_flow
-- version: 1
-- title: Password reset flow
-- question: Can users reset their password?
-- unit: count
-- kind: funnel
-- order: 4
-- better: higher
-- segmentations: Total
-- facts: blobs v1
-- supersedes: 3bbdbbeeb1c285ea22ba4b60da22b0e2bb9b30c08b436c0df607babeb6cf847c
-- description: The number of blobs reaching each step of the password-reset
--   flow (configuration flow password_reset: 1 - Begin password reset
--   (user.reset_password_staged), 2 - New password confirmed, 3 - Logged in
--   (assertion generated)). A blob is in the flow only if it shows step 1;
--   it then has every step whose event it contains. The original "Password
--   reset flow" report. One row per step for each day with a blob in the
--   flow; numerator = value, denominator = step 1's count.

-- password_reset_steps is 0 for a blob not in the flow. Every step for every day with
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
    SELECT day, password_reset_steps AS reached, count(*) AS blobs
    FROM fact_blobs_v1
    WHERE password_reset_steps <> 0
    GROUP BY day, reached
) t
CROSS JOIN (SELECT position, step FROM cfg_flow_steps WHERE flow = 'password_reset') s
GROUP BY t.day, s.position, s.step

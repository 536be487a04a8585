-- id: password_reset_flow
-- version: 1
-- title: Password reset flow
-- question: Can users reset their password?
-- unit: count
-- kind: funnel
-- order: 4
-- better: higher
-- segmentations: Total
-- description: The number of blobs reaching each step of the password-reset
--   flow (configuration flow password_reset: 1 - Begin password reset
--   (user.reset_password_staged), 2 - New password confirmed, 3 - Logged in
--   (assertion generated)). A blob is in the flow only if it shows step 1;
--   it then has every step whose event it contains. The original "Password
--   reset flow" report. One row per step for each day with a blob in the
--   flow; numerator = value, denominator = step 1's count.

WITH steps AS (
    SELECT position, step, events FROM cfg_flow_steps WHERE flow = 'password_reset'
),
first_step AS (
    SELECT events FROM steps WHERE position = 1
),
flow AS (
    -- the blobs that show step 1
    SELECT b.day, b.events
    FROM kpi_blobs b
    CROSS JOIN first_step
    WHERE list_has_any(b.events, first_step.events)
),
reached AS (
    SELECT f.day, s.position
    FROM flow f
    CROSS JOIN steps s
    WHERE len(s.events) = 0 OR list_has_any(f.events, s.events)
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

-- id: email_addition_flow
-- version: 1
-- title: Email addition flow
-- question: Can users add another email address?
-- unit: count
-- kind: funnel
-- order: 10
-- better: higher
-- segmentations: Total
-- description: The number of blobs reaching each step of the email-addition
--   flow (configuration flow email_addition: 1 - Add email
--   (user.email_staged), 2 - Email confirmed (user.email_confirmed, which
--   the dialog logged as user.email_confrimed), 3 - Logged in (assertion
--   generated)). A blob is in the flow only if it shows step 1; it then has
--   every step whose event it contains. New in this project, after the
--   original's "users successfully activating additional email addresses".
--   One row per step for each day with a blob in the flow; numerator =
--   value, denominator = step 1's count.

WITH steps AS (
    SELECT position, step, events FROM cfg_flow_steps WHERE flow = 'email_addition'
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

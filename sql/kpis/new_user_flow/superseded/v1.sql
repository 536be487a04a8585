-- id: new_user_flow
-- version: 1
-- title: New user flow
-- question: Can new users log in?
-- unit: count
-- kind: funnel
-- order: 1
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
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

WITH steps AS (
    SELECT position, step, events FROM cfg_flow_steps WHERE flow = 'new_user'
),
first_step AS (
    SELECT events FROM steps WHERE position = 1
),
flow AS (
    -- the blobs in the new-user flow
    SELECT b.blob, b.events, list_contains(b.events, 'staging_continuation') AS continuation
    FROM kpi_blobs b
    CROSS JOIN first_step
    WHERE CASE
        -- back from the confirmation email: in the flow once it generated
        -- an assertion
        WHEN list_contains(b.events, 'staging_continuation')
            THEN list_contains(b.events, 'assertion_generated')
        -- else it must show step 1, and not be a returning user who typed
        -- a password
        ELSE list_has_any(b.events, first_step.events)
            AND NOT list_contains(b.events, 'authenticate.enter_password')
    END
),
reached AS (
    -- (blob, step) for every step a blob in the flow reached: 3 and 4 for
    -- a continuation, else every step whose event it shows
    SELECT f.blob, s.position
    FROM flow f
    CROSS JOIN steps s
    WHERE CASE
        WHEN f.continuation THEN s.position IN (3, 4)
        ELSE len(s.events) = 0 OR list_has_any(f.events, s.events)
    END
),
counts AS (
    SELECT g.day, g.segmentation, g.segment, r.position, count(*) AS blobs
    FROM reached r
    JOIN kpi_segments g USING (blob)
    GROUP BY g.day, g.segmentation, g.segment, r.position
)
-- Every step of the flow for every day and segment that has a blob in it,
-- 0 where no blob reached the step.
SELECT
    c.day,
    c.segmentation,
    c.segment,
    s.step,
    coalesce(sum(c.blobs) FILTER (WHERE c.position = s.position), 0) AS value,
    coalesce(sum(c.blobs) FILTER (WHERE c.position = s.position), 0) AS numerator,
    coalesce(sum(c.blobs) FILTER (WHERE c.position = 1), 0) AS denominator
FROM counts c
CROSS JOIN steps s
GROUP BY c.day, c.segmentation, c.segment, s.position, s.step

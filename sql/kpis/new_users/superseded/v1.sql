-- id: new_users
-- version: 1
-- title: New users per day
-- question: How many new users per day?
-- unit: count
-- kind: timeseries
-- order: 3
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- description: The number of blobs whose new-user outcome is idp (a new
--   account at an identity provider) or fallback (a new account with a
--   Persona password). Outcomes, for blobs whose dialog was shown
--   (general-progress step 1 - Dialog shown): bounce if not engaged (step
--   2 - User engaged); else, with assertion_generated: fallback if it has
--   new-user steps (see new_user_flow), idp if new_account is true and it
--   shows screen.provision_primary_user, else assertion (a returning user);
--   without assertion_generated: fail. A day or segment with a shown dialog
--   but no new user has value 0. The original "New users per day" report.
--   numerator = value; denominator NULL.

WITH general AS (
    SELECT position, events FROM cfg_flow_steps WHERE flow = 'general_progress'
),
shown_step AS (SELECT events FROM general WHERE position = 2),   -- 1 - Dialog shown
engaged_step AS (SELECT events FROM general WHERE position = 3), -- 2 - User engaged
new_user_start AS (
    SELECT events FROM cfg_flow_steps WHERE flow = 'new_user' AND position = 1
),
outcomes AS (
    -- the new-user outcome of every blob whose dialog was shown
    SELECT
        b.blob,
        CASE
            WHEN NOT list_has_any(b.events, engaged_step.events) THEN 'bounce'
            WHEN NOT list_contains(b.events, 'assertion_generated') THEN 'fail'
            -- the blob has new-user steps (see new_user_flow)
            WHEN list_contains(b.events, 'staging_continuation')
                OR (list_has_any(b.events, new_user_start.events)
                    AND NOT list_contains(b.events, 'authenticate.enter_password'))
                THEN 'fallback'
            WHEN b.new_account AND list_contains(b.events, 'screen.provision_primary_user') THEN 'idp'
            ELSE 'assertion'
        END AS outcome
    FROM kpi_blobs b
    CROSS JOIN shown_step
    CROSS JOIN engaged_step
    CROSS JOIN new_user_start
    WHERE list_has_any(b.events, shown_step.events)
)
SELECT
    g.day,
    g.segmentation,
    g.segment,
    '' AS step,
    count(*) FILTER (WHERE o.outcome IN ('idp', 'fallback')) AS value,
    count(*) FILTER (WHERE o.outcome IN ('idp', 'fallback')) AS numerator,
    NULL AS denominator
FROM outcomes o
JOIN kpi_segments g USING (blob)
GROUP BY g.day, g.segmentation, g.segment

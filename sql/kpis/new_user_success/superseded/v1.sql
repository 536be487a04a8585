-- id: new_user_success
-- version: 1
-- title: New user success
-- question: Can new users log in?
-- unit: rate
-- kind: timeseries
-- order: 2
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- description: (idp + fallback) / (idp + fallback + bounce + fail) over the
--   new-user outcomes (see new_users): the share of would-be new users who
--   got an account and signed in. Returning users (outcome assertion) are
--   left out. A day or segment whose denominator is 0 has no row. The
--   original "New user success" report. numerator = idp + fallback,
--   denominator = idp + fallback + bounce + fail.

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
),
tallies AS (
    SELECT
        g.day,
        g.segmentation,
        g.segment,
        count(*) FILTER (WHERE o.outcome IN ('idp', 'fallback')) AS new_users,
        count(*) FILTER (WHERE o.outcome <> 'assertion') AS candidates
    FROM outcomes o
    JOIN kpi_segments g USING (blob)
    GROUP BY g.day, g.segmentation, g.segment
)
SELECT
    day,
    segmentation,
    segment,
    '' AS step,
    new_users::DOUBLE / candidates AS value,
    new_users AS numerator,
    candidates AS denominator
FROM tallies
WHERE candidates > 0

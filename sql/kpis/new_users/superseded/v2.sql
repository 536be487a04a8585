-- id: new_users
-- version: 2
-- title: New users per day (estimated total)
-- question: How many new users per day, sampling undone?
-- unit: count
-- kind: timeseries
-- order: 3
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- description: v1 with each blob weighted by 1/sample_rate, estimating the
--   real number of new users from the sampled dialog sessions. A blob whose
--   sample_rate is missing, 0, negative or above 1 weighs 1. value =
--   numerator = the weighted count of idp and fallback outcomes;
--   denominator = the unweighted count (v1's value). Rows are v1's: a day
--   or segment with a shown dialog but no new user has value 0.

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
        CASE WHEN b.sample_rate > 0 AND b.sample_rate <= 1 THEN 1 / b.sample_rate ELSE 1 END AS weight,
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
    coalesce(sum(o.weight) FILTER (WHERE o.outcome IN ('idp', 'fallback')), 0) AS value,
    coalesce(sum(o.weight) FILTER (WHERE o.outcome IN ('idp', 'fallback')), 0) AS numerator,
    count(*) FILTER (WHERE o.outcome IN ('idp', 'fallback')) AS denominator
FROM outcomes o
JOIN kpi_segments g USING (blob)
GROUP BY g.day, g.segmentation, g.segment

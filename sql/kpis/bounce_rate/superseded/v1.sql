-- id: bounce_rate
-- version: 1
-- title: Bounce rate
-- question: How many users leave the dialog without engaging?
-- unit: rate
-- kind: timeseries
-- order: 8
-- better: lower
-- segmentations: Total
-- description: 1 - (blobs with general-progress step 2 - User engaged /
--   blobs with step 1 - Dialog shown), per day: the share of shown dialogs
--   the user did nothing in. As in the original "Bounce rate" report the
--   engaged blobs are all engaged blobs, shown or not, so on odd data the
--   value can fall below 0. A day without a shown dialog has no row.
--   numerator = shown - engaged, denominator = shown.

WITH general AS (
    SELECT position, events FROM cfg_flow_steps WHERE flow = 'general_progress'
),
shown_step AS (SELECT events FROM general WHERE position = 2),   -- 1 - Dialog shown
engaged_step AS (SELECT events FROM general WHERE position = 3), -- 2 - User engaged
daily AS (
    SELECT
        b.day,
        count(*) FILTER (WHERE list_has_any(b.events, shown_step.events)) AS shown,
        count(*) FILTER (WHERE list_has_any(b.events, engaged_step.events)) AS engaged
    FROM kpi_blobs b
    CROSS JOIN shown_step
    CROSS JOIN engaged_step
    GROUP BY b.day
)
SELECT
    day,
    'Total' AS segmentation,
    'Total' AS segment,
    '' AS step,
    1 - engaged::DOUBLE / shown AS value,
    shown - engaged AS numerator,
    shown AS denominator
FROM daily
WHERE shown > 0

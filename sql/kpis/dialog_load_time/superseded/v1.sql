-- id: dialog_load_time
-- version: 1
-- title: Dialog load time
-- question: How long does the dialog take to become usable?
-- unit: ms
-- kind: quantiles
-- order: 14
-- better: lower
-- segmentations: Total, Browser, OS
-- description: The offset of a blob's first user.can_interact event (the
--   first in stream order): milliseconds from the dialog opening to the
--   moment the user could act in it, the load time as users felt it. A slow
--   dialog is waited for before anything else can happen, so this is the
--   first cost every sign-in pays, and a rise in one Browser or OS points
--   at a front-end or network problem there. Each blob with the event is
--   one observation; a blob without it (the dialog never became usable, or
--   an older stream) contributes nothing, and neither does a negative
--   offset (the dialog measures offsets with the wall clock, which can step
--   back): it is not a duration. A second user.can_interact (the dialog
--   loaded again in the same session) is not counted. Steps p50 (median)
--   and p95, interpolated (quantile_cont), unweighted. numerator NULL,
--   denominator = the number of observations. New in this project.

WITH first_interact AS (
    -- The first user.can_interact of each blob, by its position in the
    -- stream: a later one would time a reload, not the dialog's start.
    SELECT
        session_id AS id,
        day,
        arg_min(offset_ms, seq) AS ms
    FROM kpi_events
    WHERE name = 'user.can_interact'
    GROUP BY session_id, day
)
SELECT
    day,
    g.segmentation,
    g.segment,
    -- quantile_cont with a list of quantiles gives a list of values; the
    -- two unnests run side by side, one row per step.
    unnest(['p50', 'p95']) AS step,
    unnest(quantile_cont(f.ms, [0.50, 0.95])) AS value,
    NULL AS numerator,
    count(*) AS denominator -- the observations
FROM first_interact f
JOIN kpi_segments g USING (id, day)
WHERE f.ms >= 0
    AND g.segmentation IN ('Total', 'Browser', 'OS')
GROUP BY day, g.segmentation, g.segment

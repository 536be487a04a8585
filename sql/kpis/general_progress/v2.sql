-- id: general_progress
-- version: 2
-- title: General progress (estimated, steps in order)
-- question: How far do users get in the dialog?
-- unit: count
-- kind: funnel
-- order: 9
-- better: higher
-- segmentations: Total
-- estimate: total
-- facts: blobs v1
-- description: The dialog sessions, sampled or not, at each step of the
--   general-progress flow (configuration flow general_progress: 0 - Blob
--   sent, 1 - Dialog shown, 2 - User engaged, 4 - Logged in), estimated
--   from the sampled blobs, each standing for 1/sample_rate sessions: the
--   Horvitz–Thompson total Σ w·y with its Poisson-sampling variance
--   Σ w·(w−1)·y², 95% interval T ± 1.96·√Var. Unlike v1, which counts
--   each step alone, a session counts at a step only if it reached that
--   step and every step before it (a dialog engaged without being shown
--   is not at 2 - User engaged), so no step exceeds the one before. An
--   error screen is not a step towards signing in: the flow's step 4 (3 -
--   Error screen, any event containing screen.error) is left out of the
--   chain and reported apart as the row "Error screen", the sessions that
--   met one. Every row of a day sums over the same blobs, those that
--   entered the flow (step 0: every blob), so a step's sums over step 0's
--   are the conversion from the blob sent. One row per step for each day
--   with a blob, 0 where none reached it. numerator = value, denominator
--   NULL, n = the blobs counted.

WITH steps AS (
    -- chain: the bits of the steps up to this one (bit p-1 for step p)
    -- but the error step's (bit 3); the error step is an aside, named
    -- without its number, whose blobs have its own bit.
    SELECT
        CASE WHEN position = 4 THEN regexp_replace(step, '^[0-9]+ *- *', '') ELSE step END AS step,
        CASE WHEN position = 4 THEN 8::UBIGINT ELSE ((1::UBIGINT << position) - 1) & ~8::UBIGINT END AS chain
    FROM cfg_flow_steps
    WHERE flow = 'general_progress'
)
SELECT
    day,
    'Total' AS segmentation,
    'Total' AS segment,
    s.step,
    kpi_sums(weight, ((general_progress_steps & s.chain) = s.chain)::INTEGER) AS sums
FROM fact_blobs_v1
CROSS JOIN steps s
WHERE general_progress_steps & 1 <> 0 -- entered the flow
GROUP BY day, s.step

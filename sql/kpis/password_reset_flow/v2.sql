-- id: password_reset_flow
-- version: 2
-- title: Password reset flow (estimated, steps in order)
-- question: Can users reset their password?
-- unit: count
-- kind: funnel
-- order: 4
-- better: higher
-- segmentations: Total
-- estimate: total
-- facts: blobs v1
-- description: The dialog sessions, sampled or not, at each step of the
--   password-reset flow (configuration flow password_reset: 1 - Begin
--   password reset, 2 - New password confirmed, 3 - Logged in), estimated
--   from the sampled blobs, each standing for 1/sample_rate sessions: the
--   Horvitz–Thompson total Σ w·y with its Poisson-sampling variance
--   Σ w·(w−1)·y², 95% interval T ± 1.96·√Var. Unlike v1, a session counts
--   at a step only if it reached that step and every step before it, so
--   no step exceeds the one before. Every step of a day sums over the
--   same blobs, those in the flow (step 1), so a step's sums over step 1's
--   are the conversion from step 1. One row per step for each day with a
--   blob in the flow, 0 where none reached it. numerator = value,
--   denominator NULL, n = the blobs counted.

WITH steps AS (
    -- chain: the bits of the steps up to this one (bit p-1 for step p)
    SELECT step, (1::UBIGINT << position) - 1 AS chain
    FROM cfg_flow_steps
    WHERE flow = 'password_reset'
)
SELECT
    day,
    'Total' AS segmentation,
    'Total' AS segment,
    s.step,
    kpi_sums(weight, ((password_reset_steps & s.chain) = s.chain)::INTEGER) AS sums
FROM fact_blobs_v1
CROSS JOIN steps s
WHERE password_reset_steps & 1 <> 0 -- in the flow
GROUP BY day, s.step

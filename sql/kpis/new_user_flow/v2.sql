-- id: new_user_flow
-- version: 2
-- title: New user flow (estimated, steps in order)
-- question: Can new users log in?
-- unit: count
-- kind: funnel
-- order: 1
-- better: higher
-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
-- estimate: total
-- facts: blobs v1
-- description: The dialog sessions, sampled or not, at each step of the
--   new-user flow (configuration flow new_user: 1 - Enter email, 2 -
--   Choose password, 3 - Email verified, 4 - Logged in), estimated from
--   the sampled blobs, each standing for 1/sample_rate sessions: the
--   Horvitz–Thompson total Σ w·y with its Poisson-sampling variance
--   Σ w·(w−1)·y², 95% interval T ± 1.96·√Var. Unlike v1, a session counts
--   at a step only if it reached that step and every step before it, so
--   no step exceeds the one before. Every step of a day and segment sums
--   over the same blobs, those that entered the flow (step 1, by v1's
--   rules), so a step's sums over step 1's are the conversion from step 1.
--   Users back from confirming their email (staging_continuation; v1
--   counts them at steps 3 and 4 only) are not in the chain: they are the
--   row "Returned after confirming", a total over those blobs that
--   generated an assertion (v1's steps 3 and 4). One row per step for
--   each day and segment with a blob in the flow, 0 where none reached
--   it. numerator = value, denominator NULL, n = the blobs counted.

WITH steps AS (
    -- chain: the bits of the steps up to this one (bit p-1 for step p)
    SELECT step, (1::UBIGINT << position) - 1 AS chain
    FROM cfg_flow_steps
    WHERE flow = 'new_user'
)
SELECT
    day,
    CASE
        WHEN grouping(seg_os) = 0 THEN 'OS'
        WHEN grouping(seg_browser) = 0 THEN 'Browser'
        WHEN grouping(seg_screen) = 0 THEN 'Screen'
        WHEN grouping(seg_emails) = 0 THEN 'Emails'
        WHEN grouping(seg_locale) = 0 THEN 'Locale'
        WHEN grouping(seg_api) = 0 THEN 'API'
        WHEN grouping(seg_email_type) = 0 THEN 'EmailType'
        ELSE 'Total'
    END AS segmentation,
    coalesce(seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, 'Total') AS segment,
    s.step,
    kpi_sums(weight, ((new_user_steps & s.chain) = s.chain)::INTEGER) AS sums
FROM fact_blobs_v1
CROSS JOIN steps s
WHERE new_user_steps & 1 <> 0 -- entered the flow
GROUP BY day, s.step, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))
UNION ALL
-- A blob with steps but not step 1 is a staging continuation (the fact
-- gives it steps 3 and 4 if it generated an assertion, else none).
SELECT
    day,
    CASE
        WHEN grouping(seg_os) = 0 THEN 'OS'
        WHEN grouping(seg_browser) = 0 THEN 'Browser'
        WHEN grouping(seg_screen) = 0 THEN 'Screen'
        WHEN grouping(seg_emails) = 0 THEN 'Emails'
        WHEN grouping(seg_locale) = 0 THEN 'Locale'
        WHEN grouping(seg_api) = 0 THEN 'API'
        WHEN grouping(seg_email_type) = 0 THEN 'EmailType'
        ELSE 'Total'
    END,
    coalesce(seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, 'Total'),
    'Returned after confirming',
    kpi_sums(weight, 1)
FROM fact_blobs_v1
WHERE new_user_steps <> 0 AND new_user_steps & 1 = 0
GROUP BY day, GROUPING SETS ((), (seg_os), (seg_browser), (seg_screen), (seg_emails), (seg_locale), (seg_api), (seg_email_type))

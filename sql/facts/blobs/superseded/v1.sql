-- id: blobs
-- version: 1
-- description: One row per blob of the days being computed (kpi_blobs), in
--   blob order, so that a sum of doubles over it adds them in the same
--   order whatever the plan: blob and day; the segments transform derived
--   (seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api,
--   seg_email_type) and lang; weight, 1/sample_rate, or 1 when the rate is
--   missing, 0, negative or above 1; sites (number_sites_signed_in);
--   orphaned (false when missing). The configured flows (cfg_flow_steps),
--   each as a bit mask of the steps the blob reached, bit p-1 (value
--   2^(p-1)) for step p, 0 for a blob not in the flow; a step without events
--   is reached by every blob in the flow. general_progress_steps: every
--   blob is in the flow, each step counts alone, and step 4 (3 - Error
--   screen) is reached by an event whose name contains one of the step's
--   events, as the original matched it. new_user_steps: a blob with
--   staging_continuation reaches steps 3 and 4 if it generated an
--   assertion, else is not in the flow; any other blob is in it if it shows
--   step 1 and not authenticate.enter_password. password_reset_steps and
--   email_addition_steps: a blob is in the flow if it shows step 1. shown,
--   engaged: the blob shows general-progress step 2 (1 - Dialog shown),
--   step 3 (2 - User engaged); NULL when the flow has no such step.
--   outcome, the new-user outcome of a shown blob (NULL for the others):
--   bounce if not engaged, else fail without assertion_generated, else
--   fallback if it has new-user steps as above, else idp with new_account
--   and screen.provision_primary_user, else assertion; NULL for every blob
--   when the flows lack general-progress step 2 or 3 or new-user step 1.
--   rp_info: the blob has screen.rp_info (what error_screens calls shown,
--   whatever the flows say); screen_errors: its event names starting with
--   screen.error. A step's events are matched by exact name except where
--   said.

WITH lists AS (
    -- Blobs with the same event names have the same flags: each distinct
    -- list (a few hundred a day) is tested once, and each blob gets its
    -- list's flags through the list's hash (two lists with one hash fail
    -- the query below rather than be mixed up).
    SELECT events, hash(events) AS list FROM kpi_blobs GROUP BY events
),
names AS (
    SELECT list, unnest(events) AS name FROM lists
),
step_events AS (
    SELECT flow, position, unnest(events) AS event FROM cfg_flow_steps
),
matches AS (
    -- Each distinct name with the steps it shows: by exact name, or, for
    -- general-progress step 4, by substring.
    SELECT DISTINCT n.name, s.flow, 1::UBIGINT << (s.position - 1) AS bit
    FROM (SELECT DISTINCT name FROM names) n
    JOIN step_events s ON CASE
        WHEN s.flow = 'general_progress' AND s.position = 4 THEN contains(n.name, s.event)
        ELSE n.name = s.event
    END
),
hits AS (
    -- per list and flow, the steps one of its names shows
    SELECT
        n.list,
        bit_or(m.bit) FILTER (WHERE m.flow = 'general_progress') AS general_progress,
        bit_or(m.bit) FILTER (WHERE m.flow = 'new_user') AS new_user,
        bit_or(m.bit) FILTER (WHERE m.flow = 'password_reset') AS password_reset,
        bit_or(m.bit) FILTER (WHERE m.flow = 'email_addition') AS email_addition
    FROM names n
    JOIN matches m USING (name)
    GROUP BY n.list
),
flows AS (
    -- per flow, the steps without events (every blob reaches them) and
    -- the steps that exist
    SELECT
        flow,
        coalesce(bit_or(1::UBIGINT << (position - 1)) FILTER (WHERE len(events) = 0), 0) AS always,
        bit_or(1::UBIGINT << (position - 1)) AS steps
    FROM cfg_flow_steps
    GROUP BY flow
),
config AS (
    SELECT
        coalesce(max(always) FILTER (WHERE flow = 'general_progress'), 0) AS general_always,
        coalesce(max(steps) FILTER (WHERE flow = 'general_progress'), 0) AS general_steps,
        coalesce(max(always) FILTER (WHERE flow = 'new_user'), 0) AS new_user_always,
        coalesce(max(steps) FILTER (WHERE flow = 'new_user'), 0) AS new_user_steps,
        coalesce(max(always) FILTER (WHERE flow = 'password_reset'), 0) AS password_reset_always,
        coalesce(max(always) FILTER (WHERE flow = 'email_addition'), 0) AS email_addition_always
    FROM flows
),
tested AS (
    SELECT
        l.list,
        l.events,
        c.general_always | coalesce(h.general_progress, 0) AS general_progress_steps,
        CASE WHEN c.general_steps & 2 <> 0 THEN coalesce(h.general_progress, 0) & 2 <> 0 END AS shown,
        CASE WHEN c.general_steps & 4 <> 0 THEN coalesce(h.general_progress, 0) & 4 <> 0 END AS engaged,
        CASE WHEN c.new_user_steps & 1 <> 0 THEN coalesce(h.new_user, 0) & 1 <> 0 END AS new_user_start,
        c.new_user_always | coalesce(h.new_user, 0) AS new_user_shown,
        c.new_user_steps & 12 AS new_user_continued, -- steps 3 and 4, where configured
        CASE WHEN coalesce(h.password_reset, 0) & 1 <> 0 THEN c.password_reset_always | h.password_reset ELSE 0 END AS password_reset_steps,
        CASE WHEN coalesce(h.email_addition, 0) & 1 <> 0 THEN c.email_addition_always | h.email_addition ELSE 0 END AS email_addition_steps,
        list_contains(l.events, 'assertion_generated') AS assertion,
        list_contains(l.events, 'staging_continuation') AS continuation,
        list_contains(l.events, 'authenticate.enter_password') AS password,
        list_contains(l.events, 'screen.provision_primary_user') AS provision,
        list_contains(l.events, 'screen.rp_info') AS rp_info,
        list_filter(l.events, e -> starts_with(e, 'screen.error')) AS screen_errors,
        count(*) OVER (PARTITION BY l.list) AS lists_with_hash
    FROM lists l
    CROSS JOIN config c
    LEFT JOIN hits h USING (list)
),
kinds AS (
    SELECT
        CASE WHEN lists_with_hash > 1 THEN error('fact blobs: two event lists have the same hash') ELSE list END AS list,
        general_progress_steps,
        shown,
        engaged,
        CASE
            WHEN new_user_start IS NULL THEN 0
            WHEN continuation THEN CASE WHEN assertion THEN new_user_continued ELSE 0 END
            WHEN new_user_start AND NOT password THEN new_user_shown
            ELSE 0
        END AS new_user_steps,
        password_reset_steps,
        email_addition_steps,
        -- the outcome of a shown blob, but for new_account (see below)
        CASE
            WHEN NOT coalesce(shown, false) OR engaged IS NULL OR new_user_start IS NULL THEN NULL
            WHEN NOT engaged THEN 'bounce'
            WHEN NOT assertion THEN 'fail'
            WHEN continuation OR (new_user_start AND NOT password) THEN 'fallback'
            ELSE 'assertion'
        END AS outcome,
        provision,
        rp_info,
        screen_errors
    FROM tested
)
SELECT
    b.blob,
    b.day,
    b.seg_os,
    b.seg_browser,
    b.seg_screen,
    b.seg_emails,
    b.seg_locale,
    b.seg_api,
    b.seg_email_type,
    b.lang,
    CASE WHEN b.sample_rate > 0 AND b.sample_rate <= 1 THEN 1 / b.sample_rate ELSE 1 END AS weight,
    b.number_sites_signed_in AS sites,
    coalesce(b.orphaned, false) AS orphaned,
    k.general_progress_steps,
    k.new_user_steps,
    k.password_reset_steps,
    k.email_addition_steps,
    k.shown,
    k.engaged,
    CASE WHEN k.outcome = 'assertion' AND k.provision AND b.new_account THEN 'idp' ELSE k.outcome END AS outcome,
    k.rp_info,
    k.screen_errors
FROM kpi_blobs b
JOIN kinds k ON k.list = hash(b.events)
ORDER BY b.blob -- the join's order depends on which side DuckDB builds on

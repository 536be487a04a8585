-- id: server_accounts_created
-- version: 2
-- title: Accounts created (server census)
-- question: How many accounts did the Persona server create each day?
-- unit: count
-- kind: timeseries
-- order: 17
-- better: higher
-- segmentations: Total
-- estimate: census
-- description: v1 as a census (estimate: census): the server counts every
--   event, so the value is exact and its 95% interval is the value itself
--   (lo = hi = value), n the entries counted. The server's census entries
--   of type complete_user_creation.success per day: new users who followed
--   the link of their confirmation email, so that Persona created their
--   account. The server posts one entry per event and does not sample
--   them, so this is an exact count, not an estimate; it is the yardstick
--   the dialog's sampled new_users (its fallback outcome, weighted from
--   version 2, and the Outcome segment fallback of version 3) can be
--   checked against. Accounts created for an identity provider's address
--   are idp.create_new_user, not counted here (see server_census). A day
--   with census entries but none of this type has a row of 0; a day
--   without any census entry (before the server posted them, autumn 2013,
--   or a day whose entries were lost) has no row, since no entry does not
--   mean no account. numerator = value, denominator NULL. New in this
--   project.

SELECT
    day,
    'Total' AS segmentation,
    'Total' AS segment,
    '' AS step,
    count(*) FILTER (WHERE type = 'complete_user_creation.success') AS value,
    value AS numerator,
    NULL AS denominator
FROM kpi_server_events
GROUP BY day

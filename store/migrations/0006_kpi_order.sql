-- +up
-- What the report needs of each KPI besides its title: where its tile and
-- page go (ascending; ties by id) and which change is good news (higher,
-- lower or none). Both come from the order and better fields of the KPI's
-- SQL header, which compute writes here with the other header fields.
ALTER TABLE kpis ADD COLUMN page_order INTEGER;
ALTER TABLE kpis ADD COLUMN better VARCHAR; -- higher, lower, none

-- Versions registered before this migration get what their headers said
-- when the fields were added, so that a report made before the next
-- compute keeps its order and colours; compute overwrites both from the
-- headers each time it runs. Any other KPI stays NULL until then.
UPDATE kpis SET
    page_order = CASE kpi
        WHEN 'new_user_flow' THEN 1 WHEN 'new_user_success' THEN 2 WHEN 'new_users' THEN 3
        WHEN 'password_reset_flow' THEN 4 WHEN 'sites_signed_in' THEN 5 WHEN 'sign_in_attempts' THEN 6
        WHEN 'new_user_bounce' THEN 7 WHEN 'bounce_rate' THEN 8 WHEN 'general_progress' THEN 9
        WHEN 'email_addition_flow' THEN 10 WHEN 'orphaned_rate' THEN 11 WHEN 'assertion_time' THEN 12
        WHEN 'email_confirmation_time' THEN 13 END,
    better = CASE WHEN kpi IN ('new_user_bounce', 'bounce_rate', 'orphaned_rate', 'assertion_time', 'email_confirmation_time')
        THEN 'lower' ELSE 'higher' END
WHERE kpi IN ('new_user_flow', 'new_user_success', 'new_users', 'password_reset_flow', 'sites_signed_in',
    'sign_in_attempts', 'new_user_bounce', 'bounce_rate', 'general_progress', 'email_addition_flow',
    'orphaned_rate', 'assertion_time', 'email_confirmation_time');

-- +up
-- How long each KPI version's last computation took (all its runs of days
-- together), so that the slow ones can be found: kpi status lists them.
ALTER TABLE kpis ADD COLUMN last_compute_ms BIGINT;
-- The days that computation replaced.
ALTER TABLE kpis ADD COLUMN last_compute_days INTEGER;

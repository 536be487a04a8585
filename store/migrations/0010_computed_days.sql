-- +up
-- Which load of each day every KPI version was computed from, written in
-- the transaction that replaces the version's results of that day. A
-- day's results are current when this row matches its loaded_days row;
-- a day loaded but not computed (a run killed between its load and its
-- compute, a failed compute) is found by comparing the two, and every
-- run computes it. Days computed before this table existed are computed
-- once more by the next run.
CREATE TABLE computed_days (
    kpi         VARCHAR   NOT NULL,
    version     INTEGER   NOT NULL,
    day         DATE      NOT NULL,
    loaded_at   TIMESTAMP NOT NULL, -- loaded_days.loaded_at of the load computed from
    computed_at TIMESTAMP NOT NULL
);

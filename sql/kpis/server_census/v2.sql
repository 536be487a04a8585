-- id: server_census
-- version: 2
-- title: Server census entries
-- question: Is the server's census arriving, and what is in it?
-- unit: count
-- kind: timeseries
-- order: 18
-- better: none
-- segmentations: Total, Type
-- estimate: census
-- description: v1 as a census (estimate: census): the server counts every
--   event, so the value is exact and its 95% interval is the value itself
--   (lo = hi = value), n the entries counted. The server's census entries
--   per day (one per server-side event, not sampled: signin, verify,
--   stage_*.success, complete_*.success, idp.*): Total counts every entry,
--   Type counts each type. A KPI built on the census
--   (server_accounts_created) can only be trusted while the census itself
--   is whole, so this shows its health: a type that vanishes or a Total
--   that drops on a weekday says the server stopped posting or entries
--   were lost, not that users changed. A type that did not occur that day
--   has no Type row, and a day without any entry no row at all. A type of
--   another shape than the server's names (lower case words joined by _
--   and .) is Other, so that a stray entry cannot put arbitrary text on
--   the page. Neither more nor fewer entries is good news in itself:
--   better none. numerator = value, denominator NULL. New in this project.

-- Grouping sets count Total and each Type in one scan; grouping(type_segment)
-- is 1 on the Total rows.
SELECT
    day,
    CASE WHEN grouping(type_segment) = 1 THEN 'Total' ELSE 'Type' END AS segmentation,
    CASE WHEN grouping(type_segment) = 1 THEN 'Total' ELSE type_segment END AS segment,
    '' AS step,
    count(*) AS value,
    value AS numerator,
    NULL AS denominator
FROM (
    SELECT
        day,
        CASE
            WHEN regexp_full_match(type, '[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*') THEN type
            ELSE 'Other'
        END AS type_segment
    FROM kpi_server_events
)
GROUP BY GROUPING SETS ((day), (day, type_segment))

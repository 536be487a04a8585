package reports

// Every SQL statement the report reads with lives in this file, so the
// columns it relies on can be reconciled with the schema in one place.
// The report only reads: Build never writes to the database.

// qRelations lists the names of the tables and views, in one query: each
// query of information_schema costs a few milliseconds.
const qRelations = `
SELECT DISTINCT table_name FROM information_schema.tables`

// qKPIDefs lists every version of every KPI definition from the kpis
// registry (store/migrations/0002_kpis.sql), in the report's order: by the
// header's order (migration 0006), then id and version. sql and the
// computed_* columns are NULL until the version has been computed;
// page_order and better are NULL only for a KPI that an older kpi
// registered and migration 0006 did not know, until compute runs: it
// sorts last and is not judged.
const qKPIDefs = `
SELECT kpi, CAST(version AS BIGINT),
       coalesce(title, ''), coalesce(question, ''), coalesce(unit, ''),
       coalesce(kind, ''), coalesce(better, ''),
       coalesce(description, ''), coalesce(sql, ''), coalesce(path, ''),
       computed_at, computed_from, computed_to, coalesce(estimate, 'sample')
FROM kpis
ORDER BY page_order NULLS LAST, kpi, version`

// qFactSQL lists every fact's table name, as KPI queries read it, and the
// SQL it was computed with (store/migrations/0013_facts.sql).
const qFactSQL = `
SELECT 'fact_' || fact || '_v' || version, sql FROM facts WHERE sql IS NOT NULL`

// qResultDays lists the days that have any KPI result: the days the data
// covers. A KPI count missing on such a day means zero.
const qResultDays = `
SELECT DISTINCT day FROM kpi_results ORDER BY day`

// qResults reads every KPI result with its 95% interval, the sampled
// blobs behind it and its additive sums (migration 0012; NULL for a
// version that describes the sample). It is the one big read; ordering is
// not needed because rows are placed by day index.
const qResults = `
SELECT kpi, CAST(version AS BIGINT), day, segmentation, segment, coalesce(step, ''),
       CAST(value AS DOUBLE), CAST(numerator AS DOUBLE), CAST(denominator AS DOUBLE),
       CAST(lo AS DOUBLE), CAST(hi AS DOUBLE), CAST(n AS DOUBLE),
       CAST(s_blobs AS DOUBLE), CAST(s_y AS DOUBLE), CAST(s_wy AS DOUBLE), CAST(s_w AS DOUBLE),
       CAST(s_w2 AS DOUBLE), CAST(s_w2y AS DOUBLE), CAST(s_w2y2 AS DOUBLE), CAST(s_wy2 AS DOUBLE)
FROM kpi_results`

// qResultSeries lists the series of kpi_results: each version, segment
// and step once, by the hash of its names that qResultValues' rows carry
// instead of the names.
const qResultSeries = `
SELECT DISTINCT hash(kpi, version, segmentation, segment, step),
       kpi, CAST(version AS BIGINT), segmentation, segment, coalesce(step, '')
FROM kpi_results`

// qResultValues is qResults with the hash of a row's names (as in
// qResultSeries) in place of its names.
const qResultValues = `
SELECT hash(kpi, version, segmentation, segment, step), day,
       CAST(value AS DOUBLE), CAST(numerator AS DOUBLE), CAST(denominator AS DOUBLE),
       CAST(lo AS DOUBLE), CAST(hi AS DOUBLE), CAST(n AS DOUBLE),
       CAST(s_blobs AS DOUBLE), CAST(s_y AS DOUBLE), CAST(s_wy AS DOUBLE), CAST(s_w AS DOUBLE),
       CAST(s_w2 AS DOUBLE), CAST(s_w2y AS DOUBLE), CAST(s_w2y2 AS DOUBLE), CAST(s_wy2 AS DOUBLE)
FROM kpi_results`

// otherWindowDays is how far back the "raw values behind Other" and
// "unrecognised events" tables look: recent values are the ones worth an
// alias.
const otherWindowDays = 30

// qOtherValues lists, per segmentation, the most frequent raw values that
// fell into Other over the last days loaded, with the segmentation's
// Other total, from the day profiles load writes. Parameters: the number
// of days (otherWindowDays), how many values each. Raw values come from
// end users' browsers.
const qOtherValues = `
WITH counted AS (
    SELECT segmentation, raw, sum(sessions) AS n FROM day_other_values
    WHERE day > (SELECT max(day) FROM loaded_days) - CAST(? AS INTEGER)
    GROUP BY segmentation, raw
)
SELECT segmentation, raw, n, sum(n) OVER (PARTITION BY segmentation) AS total
FROM counted
QUALIFY row_number() OVER (PARTITION BY segmentation ORDER BY n DESC, raw NULLS LAST) <= ?
ORDER BY segmentation, n DESC, raw NULLS LAST`

// qSessionsRecent counts sessions over the same window as qOtherValues,
// so Other can be shown as a share of all sessions (one parameter: days).
const qSessionsRecent = `
SELECT coalesce(sum(loaded), 0) FROM loaded_days
WHERE day > (SELECT max(day) FROM loaded_days) - CAST(? AS INTEGER)`

// qUnknownEvents lists the most frequent event names over the last days
// that are outside the dialog's vocabulary. Parameters: the vocabulary as
// one RE2 pattern (persona.VocabularyPattern, with the configured flows'
// events), the number of days and of rows.
const qUnknownEvents = `
WITH recent AS (
    SELECT name, sum(events) AS n, sum(sessions) AS sessions FROM day_event_names
    WHERE day > (SELECT max(day) FROM loaded_days) - CAST(? AS INTEGER)
    GROUP BY name
)
SELECT name, n, sessions FROM recent
WHERE NOT regexp_full_match(name, ?)
ORDER BY n DESC, name
LIMIT ?`

// qServerTypes counts the server's census entries per day and type over
// the last days loaded, from the day profiles; a type outside the known
// ones is NULL, counted together. Parameters: the known types as one RE2
// pattern, the number of days.
const qServerTypes = `
SELECT day, CASE WHEN regexp_full_match(type, ?) THEN type END AS known, sum(events)
FROM day_server_types
WHERE day > (SELECT max(day) FROM loaded_days) - CAST(? AS INTEGER)
GROUP BY ALL
ORDER BY day, known NULLS LAST`

// qUnknownServerTypes lists the most frequent census types outside the
// known ones over the same days. Parameters: the pattern, the number of
// days and of rows. Types come from the server's entries as stored: any
// text.
const qUnknownServerTypes = `
SELECT type, sum(events) AS n FROM day_server_types
WHERE day > (SELECT max(day) FROM loaded_days) - CAST(? AS INTEGER)
  AND NOT regexp_full_match(type, ?)
GROUP BY type
ORDER BY n DESC, type
LIMIT ?`

// qSampleRates counts blobs per day, OS segment and sample rate over the
// last days loaded, from the day profiles: the rates among the most
// frequent ones as themselves, the rest as 'other', a missing rate as
// 'none'. Parameters: the number of days, how many rates to keep. OS
// segments are the configured ones and Other, as the store holds them.
const qSampleRates = `
WITH recent AS (
    SELECT * FROM day_sample_rates
    WHERE day > (SELECT max(day) FROM loaded_days) - CAST(? AS INTEGER)
), top AS (
    SELECT sample_rate FROM recent WHERE sample_rate IS NOT NULL
    GROUP BY sample_rate ORDER BY sum(sessions) DESC, sample_rate LIMIT ?
)
SELECT day, os,
       CASE WHEN sample_rate IS NULL THEN 'none'
            WHEN sample_rate IN (SELECT sample_rate FROM top) THEN 'rate'
            ELSE 'other' END AS kind,
       CASE WHEN sample_rate IN (SELECT sample_rate FROM top) THEN sample_rate END AS rate,
       sum(sessions)
FROM recent
GROUP BY ALL
ORDER BY day, os`

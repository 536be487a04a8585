// Package compute owns the compute stage: it runs the versioned KPI
// definitions of sql/kpis over the loaded sessions and events and writes
// kpi_results, keeping every version of every KPI side by side.
//
// # Definitions
//
// A KPI is a directory sql/kpis/<id>/ holding one file per version, v1.sql,
// v2.sql, ... (vN_name.sql is accepted too). Versions run 1..N without
// gaps. A file starts with a header of comment lines, every field required:
//
//	-- id: new_user_flow                (its directory's name)
//	-- version: 1                       (its file's N)
//	-- title: New user flow
//	-- question: Can new users log in?
//	-- unit: count                      (count, rate, mean, median or ms)
//	-- kind: funnel                     (timeseries, funnel, quantiles or shares)
//	-- order: 1                         (the KPI's place in the report, from 1)
//	-- better: higher                   (higher, lower or none)
//	-- segmentations: Total, OS, Browser, Screen, Emails, Locale, API, EmailType
//	-- description: One paragraph; a line starting "--" and two or more
//	--   spaces continues the previous field.
//
// One field is optional and goes after segmentations:
//
//	-- estimate: rate                   (sample, census, total, rate, mean,
//	                                    or quantiles p50 p95; default sample)
//
// The header ends at the first line that is not a comment; the rest of the
// file is one SELECT statement (a trailing semicolon is allowed).
//
// The header is the only home of what the report knows about a KPI: its
// title, question and description, the order of its tile and page among
// the others (ascending, ties by id), and which change of its headline is
// good news (better: higher or lower colours a change green or red; none
// leaves it uncoloured, for a KPI whose moves are neither). Every version
// of a KPI gives the same order, because the KPI has one place in the
// report; better may differ between versions, as what a version measures
// may. Compute writes the header into the kpis table, where the report
// reads it.
//
// Beside its versions, a KPI directory holds its hand-made test cases,
// cases/<case>/ (sql/kpis/README.md describes them); LoadDefinitions
// skips them and the binary does not embed them. A test fails for a KPI
// without a case and for a version that no case beside it checks.
//
// # What a query returns
//
// Exactly these columns, in this order (numbers of any numeric type):
//
//	day DATE, segmentation VARCHAR, segment VARCHAR, step VARCHAR,
//	value DOUBLE, numerator DOUBLE, denominator DOUBLE
//
// The runner adds kpi and version from the header. Rows must have a day in
// the range being computed, a segmentation the header lists ('Total' with
// segment 'Total' for the whole), a finite non-NULL value, and one row per
// (day, segmentation, segment, step). A day or segment with nothing to
// measure has no row, and neither has a rate whose denominator is 0. By
// kind:
//
//   - timeseries: step is empty. A count has numerator = value and denominator
//     NULL; a rate or mean has value = numerator / denominator.
//   - funnel: one row per step, named as in the flow, for every day and
//     segment with a blob in the flow (0 for a step none reached); value =
//     numerator = blobs reaching the step, denominator = the first step's
//     count.
//   - quantiles: one row per quantile, step 'p25', 'p50', 'p95', ...;
//     numerator NULL, denominator the number of observations.
//   - shares: a distribution, one row per category (step '0', '1', '2',
//     '3 or more', ...), value the share of the blobs in it: numerator the
//     blobs in it, denominator every blob of the day and segment.
//
// Summing numerator and denominator over days re-aggregates a range for
// counts, rates, means and funnels; quantiles cannot be re-aggregated.
//
// # Estimates
//
// The header's estimate says what the values are about (Estimate):
//
//   - sample (the default, and every version written before estimates):
//     the values describe the sampled blobs as they are. The query returns
//     the columns above; lo, hi, n and the sums of kpi_results are NULL.
//   - census: exact counts of everything, such as the server's census
//     entries. The query returns the columns above; lo = hi = value and
//     n = the denominator, else the value.
//   - total, rate, mean, quantiles pNN ...: the values estimate the
//     population of dialog sessions, each sampled blob standing for
//     1/sample_rate sessions (kpi_blobs.weight); the runner estimates.
//
// A total, rate or mean query returns one row per day, segment and step,
// its blobs added up by the aggregate kpi_sums(w, y):
//
//	day DATE, segmentation VARCHAR, segment VARCHAR, step VARCHAR,
//	sums (kpi_sums(weight, y) ... GROUP BY ...)
//
// w is the blob's weight (kpi_blobs.weight), y what the blob contributes:
// 1 or 0 for a total (a new user or not: every blob looked at is summed,
// so a day with none has the value 0) and for a rate (the denominator's
// blobs, 1 for those in the numerator), the number for a mean. A
// quantiles query returns one row per observation, with an empty step
// (the header names the steps):
//
//	day DATE, segmentation VARCHAR, segment VARCHAR, step VARCHAR,
//	w DOUBLE, y DOUBLE
//
// A blob whose weight is not positive, or whose y is not finite (or, for
// a rate, is outside 0..1), is refused.
//
// The runner writes kpi_sums into kpi_results (s_blobs = N, s_y = Σy,
// s_wy = Σw·y, s_w = Σw, s_w2 = Σw², s_w2y, s_w2y2, s_wy2: package
// stats's Sums), so that the estimate and interval of any range of days
// is that of its days' summed sums, and value, lo and hi (the 95%
// interval; NULL where too few blobs bound it) from stats.Total, Rate,
// Mean or QuantilePoints. n is the sampled blobs behind the value: those
// that count for a total, the denominator's for a rate or mean, the
// observations for a quantile. A total's numerator is its value and its
// denominator NULL; a rate's or mean's are Σw·y and Σw; a quantile's
// denominator is its observations, as a sample quantile's. A quantile is
// not additive: its row keeps s_blobs, s_w and s_w2 only.
package compute

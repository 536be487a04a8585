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
//	-- kind: funnel                     (timeseries, funnel or quantiles)
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
//     population of dialog sessions, each sampled blob weighing
//     1/sample_rate. The query returns one row per blob (per segment, and
//     per step of a funnel), and the runner estimates.
//
// A query estimating from blobs returns exactly these columns:
//
//	day DATE, segmentation VARCHAR, segment VARCHAR, step VARCHAR,
//	w DOUBLE, y DOUBLE
//
// w is the blob's weight (kpi_blobs.weight: 1/sample_rate, 1 where the
// rate is missing or not in (0, 1]), y what the blob contributes: 1 or 0
// for a total (a new user or not; every blob looked at has a row, so a day
// with none has the value 0) and for a rate (the denominator's blobs, 1
// for those in the numerator), the number for a mean, the observation for
// quantiles (an empty step, one row per observation; the header names the
// steps). A row with a weight that is not positive, or a y that is not
// finite (or, for a rate, outside 0..1), is refused.
//
// The runner adds the rows up per (day, segmentation, segment, step) into
// the sums of package stats, stored in kpi_results (s_blobs = N, s_y = Σy,
// s_wy = Σw·y, s_w = Σw, s_w2 = Σw², s_w2y, s_w2y2, s_wy2) so that the
// estimate and interval of any range of days is that of its days' summed
// sums, and writes value, lo and hi (the 95% interval; NULL where too few
// blobs bound it) with stats.Total, Rate, Mean or QuantilePoints. n is the
// sampled blobs behind the value: those that count for a total, the
// denominator's for a rate or mean, the observations for a quantile. A
// total's numerator is its value and its denominator NULL; a rate's or
// mean's numerator and denominator are Σw·y and Σw; a quantile's
// denominator is its observations, as a sample quantile's. A quantile is
// not additive: its row keeps s_blobs, s_w and s_w2 only.
//
// # What a query reads
//
// The runner computes a run of days with one statement per KPI version,
// against temporary relations restricted to those days. Queries read
// these, never sessions or events directly:
//
//	kpi_range(from_day, to_day)   the days being computed, one row
//	kpi_sessions                  sessions of those days with a non-empty
//	                              event stream (all columns of sessions)
//	kpi_events                    events of those days (all columns of events:
//	                              duration_ms and repeat_count for XHR events,
//	                              NULL for the others)
//	kpi_server_events             the server's census entries of those days
//	                              (all columns of server_events; not sampled)
//	kpi_blobs                     kpi_sessions plus blob BIGINT, a key for
//	                              joins (faster than id); its events
//	                              VARCHAR[] (from sessions) holds the
//	                              distinct event names of the blob's stream
//	                              (test them with list_contains and
//	                              list_has_any), and weight DOUBLE, the
//	                              sessions the blob stands for
//	                              (stats.Weight: 1/sample_rate, or 1)
//	kpi_segments                  kpi_blobs once per segment of each blob:
//	                              every kpi_blobs column plus segmentation
//	                              and segment, a Total/Total row and one row
//	                              per segmentation from the seg_* columns
//	                              transform derived (the original's rules).
//	                              Group by it directly, or compute per blob
//	                              from kpi_blobs and join it USING (blob).
//	cfg_segment_lists(segmentation, position, segment)
//	cfg_aliases(raw, alias)
//	cfg_flow_steps(flow, position, step, events VARCHAR[])
//	                              the configuration's segment lists, aliases
//	                              and flows; position counts from 1 in the
//	                              configured order. A step configured with no
//	                              event (or "") has events [] and is reached
//	                              by every blob; user.email_confrimed is
//	                              written user.email_confirmed, as in events.
//
// A query that needs segments other than transform's (a version with a new
// Locale rule, say) builds them from kpi_blobs and the cfg_* tables.
//
// # Versions and history
//
// Each computed version's SQL (the file without its header) is hashed into
// the kpis table. A file whose SQL changed after it was computed is refused
// with ErrChanged: add a new version instead, or set Options.Force to
// recompute that version's whole history. Editing only the header (title,
// description, order, better) is fine: the next computation registers it. A version computed for the first time is computed
// over all loaded days, whatever range was asked for.
package compute

// Package compute owns the compute stage: it runs the versioned KPI
// definitions of sql/kpis over the loaded sessions and events and writes
// kpi_results, keeping every version of every KPI side by side. A KPI
// version is an aggregation; what several versions need per blob, it
// reads from shared, versioned facts (sql/facts), which the runner builds
// once per run of days for all of them.
//
// # Definitions
//
// A KPI is a directory sql/kpis/<id>/ holding one file per version, v1.sql,
// v2.sql, ... (vN_name.sql is accepted too). Versions run 1..N without
// gaps. A file starts with a header of comment lines:
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
//	-- estimate: rate                   (optional: sample, census, total, rate,
//	                                    mean or quantiles p50 p95; default sample)
//	-- facts: segment_counts v1         (optional: the facts the query reads)
//	-- supersedes: 1e70…d6e8            (optional: see Versions and history)
//	-- description: One paragraph; a line starting "--" and two or more
//	--   spaces continues the previous field.
//
// Every field but estimate, facts and supersedes is required. The header ends at the
// first line that is not a comment; the rest of the file is one SELECT
// statement (a trailing semicolon is allowed).
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
// cases/<case>/ (sql/kpis/README.md describes them), and the earlier texts
// of rewritten versions, superseded/; LoadDefinitions skips both and the
// binary embeds neither. A test fails for a KPI without a case and for a
// version that no case beside it checks.
//
// # Facts
//
// A fact is a directory sql/facts/<id>/ holding one file per version, laid
// out as a KPI's, with a shorter header:
//
//	-- id: blobs
//	-- version: 1
//	-- facts: …                         (optional: the facts it reads)
//	-- supersedes: 1e70…d6e8            (optional: see Versions and history)
//	-- description: What one row is, and what each column means.
//
// and one SELECT over the same relations as a KPI query (and the facts it
// lists). Its rows belong to days of the run being computed: a fact has a
// day DATE column, and a fact of blobs or events has blob, the BIGINT key
// of kpi_blobs, too. A KPI version (or a fact) reads a fact version it
// lists as the table fact_<id>_v<N>:
//
//	-- id: shown
//	-- version: 1
//	-- description: One row per blob: blob, day, and shown, whether the
//	--   blob shows screen.rp_info.
//	SELECT blob, day, list_contains(events, 'screen.rp_info') AS shown
//	FROM kpi_blobs
//
//	-- id: dialogs_shown
//	-- …
//	-- facts: shown v1
//	-- description: …
//	SELECT day, 'Total' AS segmentation, 'Total' AS segment, '' AS step,
//	    count(*) FILTER (WHERE shown) AS value, value AS numerator,
//	    NULL AS denominator
//	FROM fact_shown_v1
//	GROUP BY day
//
// For each run of days, the runner builds the facts the selected versions
// read (only those, each once, a fact after the facts it reads), computes
// the versions, and drops the facts' tables. It refuses, naming the file,
// a header listing a fact that does not exist, a query that reads a
// fact_ table its header does not list or lists one it does not read,
// facts that read each other in a circle, and a fact whose query does not
// run or has no day column. A fact is as immutable as a KPI version: the
// facts table registers each, with the hash of the SQL KPI results were
// first computed with, and a fact whose SQL changed since is refused
// (add its next version, and versions of the KPIs that should read it),
// unless Options.Force recomputes the history of every version that
// reads it, selected or not. Like a KPI version, a fact may be rewritten
// to give exactly the same rows faster, with supersedes: (see Versions
// and history); its earlier text stays in sql/facts/<id>/superseded/.
//
// The facts in sql/facts: blobs (one row per blob: segments, weight,
// sites, the configured flows' steps reached, the new-user outcome and
// the other flags the KPIs test, each distinct event list tested once),
// segment_counts (the blobs counted per day, segment and flag: a counting
// KPI sums a few thousand rows instead of grouping every blob eight times)
// and timings (the assertion, email-confirmation and dialog-load durations
// of each blob). Their headers say what each column holds.
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
//     count. A funnel that estimates the population (estimate: total, see
//     Estimates) sums every step of a day and segment over the same blobs,
//     those that entered the flow, y = 1 for a blob that reached the step
//     and every step before it: the steps never go up, and a step's sums
//     over the first step's give the conversion from it. A row whose step
//     does not start with a digit is an aside, not a step of the chain
//     (sessions back from confirming their email, error screens): a total
//     over its own blobs, which the report shows apart.
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
// kpi_sums_add(sums) adds up the kpi_sums of disjoint sets of blobs into
// those of their union, so a query may sum in two steps: a distribution
// (kind shares) groups each blob once, by day, segment and category, with
// kpi_sums(weight, 1) and kpi_sums(weight, 0), and each category's row
// adds every category's sums, its own with y = 1 (sites_signed_in v4),
// rather than grouping every blob once per category. Sums of partial
// sums round differently from sums over the blobs, the same on every run.
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
//
// # What a query reads
//
// The runner computes a run of days with one statement per KPI version,
// against temporary relations restricted to those days. Queries read
// these, and the facts their header lists, never sessions or events
// directly:
//
//	kpi_range(from_day, to_day)   the days being computed, one row
//	kpi_sessions                  sessions of those days with a non-empty
//	                              event stream (all columns of sessions)
//	kpi_events                    events of those days (all columns of events:
//	                              duration_ms and repeat_count for XHR events,
//	                              NULL for the others), and session_id, the
//	                              same number as session (below)
//	kpi_server_events             the server's census entries of those days
//	                              (all columns of server_events; not sampled)
//	kpi_blobs                     kpi_sessions plus blob BIGINT, a key for
//	                              joins unique across days; its events
//	                              VARCHAR[] (its event_lists row) holds the
//	                              distinct event names of the blob's stream
//	                              (test them with list_contains and
//	                              list_has_any), and weight DOUBLE, the
//	                              sessions the blob stands for
//	                              (stats.Weight: 1/sample_rate, or 1). Its
//	                              id is not the KPIggybank id but session,
//	                              the blob's number within its day, which
//	                              its events carry: a blob's events are
//	                              those of kpi_events with the same day and
//	                              session (session_id = id, as the texts
//	                              written before the numbers joined them)
//	kpi_event_lists               the distinct lists of event names of those
//	                              days (day, event_list, events VARCHAR[]),
//	                              a few hundred a day: kpi_blobs.events is
//	                              the row with the blob's day and
//	                              event_list. A query testing what a list
//	                              holds tests these rows and joins the
//	                              blobs by (day, event_list), rather than
//	                              testing every blob's copy (fact blobs)
//	kpi_segments                  kpi_blobs once per segment of each blob:
//	                              every kpi_blobs column plus segmentation
//	                              and segment, a Total/Total row and one row
//	                              per segmentation from the seg_* columns
//	                              transform derived (the original's rules).
//	cfg_segment_lists(segmentation, position, segment)
//	cfg_aliases(raw, alias)
//	cfg_flow_steps(flow, position, step, events VARCHAR[])
//	                              the configuration's segment lists, aliases
//	                              and flows; position counts from 1 in the
//	                              configured order. A step configured with no
//	                              event (or "") has events [] and is reached
//	                              by every blob; user.email_confrimed is
//	                              written user.email_confirmed, as in events.
//	fact_<id>_v<N>                a fact the header lists (see Facts)
//
// What many versions need is cheapest read from a fact: the per-blob flags
// of fact blobs are worked out once, and a count per segment from
// segment_counts costs a sum over a few thousand rows. A version that
// needs each blob grouped by segment groups fact blobs' seven seg_*
// columns with GROUPING SETS (grouping() names the segmentation of a
// row), rather than joining kpi_segments, whose eight rows per blob made
// every version read each blob eight times. A query that needs segments
// other than transform's (a version with a new Locale rule, say) builds
// them from kpi_blobs (or fact blobs' lang) and the cfg_* tables.
//
// The runner computes on one DuckDB thread, so a query sees its rows in
// the same order on every run: a sum of doubles (weights) adds them in
// that order, and a version's results are the same to the last bit every
// time it computes the same data. Fact blobs is in blob order; sum the
// weights over its rows, not over partial sums, which round differently.
// One exception, DuckDB's rather than the runner's: over a WHERE of ORs
// or an IN list, such as WHERE outcome IN ('idp', 'fallback', ...), a sum
// differs in its last bit from run to run, on one thread and one
// connection alike; a single comparison, ANDs, and the same test in an
// aggregate's FILTER (WHERE ...) do not (measured with DuckDB 1.1.2 over
// 200,000 blobs). The likely cause: an OR passes first the rows its first
// test passes, then the others', and DuckDB's adaptive filter reorders
// the tests as it goes. So a version that sums doubles filters its rows
// with one comparison or ANDs (new_user_bounce v2 and new_user_success v2
// were rewritten so, superseding their first text).
//
// One thread per statement, but two statements at once: the runner
// computes on two connections (Options.Connections), each running its
// statements on its own goroutine. The facts' tables live in an in-memory
// database attached for the run (kpi_scratch), which every connection
// sees, rather than in one connection's temporary tables. For each run of
// days, the connections take the facts in build order, each as soon as
// the facts it reads are built, and then the versions, longest first (by
// what each took last time), each version's rows going to a table of its
// own in kpi_scratch. Which connection computes what, and what runs
// beside it, changes no number. Once all are done, the first connection
// writes every version's rows of the run of days into kpi_results in one
// transaction, as before.
//
// # Versions and history
//
// Each computed version's SQL (the file without its header) is hashed into
// the kpis table. A file whose SQL changed after it was computed is refused
// with ErrChanged: add a new version instead, or set Options.Force to
// recompute that version's whole history. Editing only the header (title,
// description, order, better, facts' descriptions) is fine: the next
// computation registers it. A version computed for the first time is
// computed over all loaded days, whatever range was asked for.
//
// A rewrite that gives exactly the same results (to read a new fact, say)
// keeps its version: its header lists the hash of each text it replaces,
// supersedes: <sha256>[, <sha256>], and the earlier text stays in
// sql/kpis/<id>/superseded/vN.sql. A version computed with a hash its
// header supersedes is not refused; the runner records the new hash and
// SQL and the results stand. TestRewrittenVersionsGiveTheSameResults
// proves each rewrite: the superseded text must be there, hash to the
// header's value, and give exactly the same kpi_results rows as the new
// one over every hand-made case and generated days of several eras. A
// fact is rewritten the same way (sql/facts/<id>/superseded/vN.sql): the
// test also requires its rows, in order, to be those of the earlier text.
package compute

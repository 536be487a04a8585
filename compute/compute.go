package compute

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
	kpisql "github.com/persona-kpi/kpi/sql"
)

// DefaultChunkSessions is how many sessions one KPI statement reads at most
// when Options.ChunkSessions is 0: days are computed in runs of whole days
// up to this many sessions, which bounds memory whatever the history.
// DuckDB's memory grows with it (measured on generated days when
// kpi_blobs was still a materialized table: 0.63 GB of peak RSS at
// 250,000 sessions, 0.93 GB at 500,000, 1.3 GB at 1,000,000; with
// kpi_blobs a view, kpi compute over 1M blobs peaks at 0.27 GB in chunks
// of 250,000 and 0.47 GB in one chunk) while the time per session barely
// changes (one chunk instead of four: 7.7–8.0 s against 8.1–8.4 s).
const DefaultChunkSessions = 250_000

// chunkMemoryLimit is DuckDB's memory limit while a chunk of at most
// DefaultChunkSessions sessions is computed (Options.MemoryLimit); a
// larger chunk (one day larger than that) is computed within the limit
// DuckDB had before.
// Under the writer's 512 MB, DuckDB kept what it read cached up to that
// limit, and the peak RSS of a run grew with its history: 0.56 GiB at
// 1M blobs, 0.84 at 3M. Within 256 MB such chunks take about as long
// (DuckDB reads again blocks it no longer caches), but a day of 1M
// sessions ran out of memory ("failed to pin block of size 50.1 MiB").
// Where DuckDB cannot free enough to lower its limit, the chunk is
// computed within the limit it has.
const chunkMemoryLimit = "256MB"

// Options selects what Compute computes.
type Options struct {
	// From and To are the first and last day to compute, inclusive; only
	// their calendar date counts. A zero From or To means the first or last
	// loaded day. Versions never computed before, and changed versions
	// recomputed with Force, are computed over all loaded days whatever
	// From and To say, so their history is complete.
	From, To time.Time
	// KPI limits the run to one KPI id; "" computes every KPI.
	KPI string
	// Version limits the run to one version; 0 computes every version.
	Version int
	// Force recomputes versions whose SQL changed since they were computed
	// (over all loaded days) instead of refusing them.
	Force bool
	// Config supplies the segment lists, aliases and flows the KPI SQL
	// reads (cfg_* tables); it must be a loaded or default configuration.
	Config config.Config
	// Facts holds the fact definitions the KPI versions may read: one
	// directory per fact id with v1.sql, v2.sql, ... (sql/facts); nil
	// means the facts embedded in the binary.
	Facts fs.FS
	// Logger receives progress; nil logs nothing.
	Logger *slog.Logger
	// ChunkSessions bounds the sessions one statement reads; 0 means
	// DefaultChunkSessions.
	ChunkSessions int
	// MemoryLimit, when set, is DuckDB's memory limit as the caller set it
	// (e.g. "512MB"): Compute lowers it to chunkMemoryLimit while a chunk
	// of at most DefaultChunkSessions sessions is computed, and sets it
	// back to this afterwards. DuckDB prints a limit in other units,
	// rounded, so the limit it had cannot be read back exactly.
	MemoryLimit string
	// Connections is how many DuckDB connections compute at once, each
	// query on one thread; 0 means DefaultConnections. db gets as many
	// connections for the run (a pool limited to fewer is raised until
	// Compute returns). The results do not depend on it.
	Connections int
	// Pending also computes, outside From..To, the loaded days whose
	// results are missing or were computed from an earlier load of the
	// day (a run stopped between its load and its compute): the state is
	// read from the store, not remembered by a run that may have died.
	Pending bool
}

// Computed is what one KPI version's computation wrote.
type Computed struct {
	KPI     string
	Version int
	// From and To are the days replaced (inclusive).
	From, To time.Time
	// Days is the number of days replaced, Rows the rows written for them.
	Days int
	Rows int64
	// Backfill is set when the whole loaded history was computed: a version
	// computed for the first time, or a changed one recomputed with Force.
	Backfill bool
	// Changed is set when the version's SQL had changed (Force was given).
	Changed bool
	// Elapsed is the time spent on this version: its queries, their checks
	// and the writing of their rows, over all its runs of days.
	Elapsed time.Duration
}

// BuiltFact is what building one fact version cost in a computation.
type BuiltFact struct {
	Fact    string
	Version int
	// Chunks is the number of runs of days it was built for, Rows the
	// rows it held over all of them.
	Chunks int
	Rows   int64
	// Elapsed is the time spent building it over all those runs.
	Elapsed time.Duration
}

// Result lists what Compute computed, in definition order, and the facts
// it built for that, in the order it built them.
type Result struct {
	Computed []Computed
	Facts    []BuiltFact
}

// Rows is the total number of rows written.
func (r Result) Rows() int64 {
	var n int64
	for _, c := range r.Computed {
		n += c.Rows
	}
	return n
}

// state is what the kpis table remembers of a version's last computation.
type state struct {
	hash       string
	computedAt time.Time
	// perDay is what the last computation took per day (versions only).
	perDay time.Duration
}

// job is one definition to compute and how.
type job struct {
	def      Definition
	backfill bool
	changed  bool
	out      *Computed
}

// Compute computes the KPI definitions of defs into kpi_results. The
// database must have the migrations applied. Compute holds
// opt.Connections connections of db for the whole run, for their temp
// tables (raising a pool limited to fewer until it returns).
//
// It loads and checks every definition and fact (opt.Facts), registers
// them in the kpis and facts tables, refuses a selected version whose SQL
// changed since it was computed, or that reads a fact whose SQL changed
// since (unless opt.Force), checks that each fact and query it needs runs
// and has the right columns, and then, for runs of days, builds the facts
// the selected versions read once and replaces each selected version's
// rows of those days in one transaction per run of days. A version's hash
// is recorded with its last run of days, so an interrupted computation is
// detected and redone. It computes on one DuckDB thread per connection
// (see oneThread and DefaultConnections).
func Compute(ctx context.Context, db *sql.DB, defs fs.FS, opt Options) (Result, error) {
	opt, err := opt.withDefaults()
	if err != nil {
		return Result{}, err
	}
	all, err := LoadDefinitions(defs)
	if err != nil {
		return Result{}, err
	}
	facts, err := LoadFacts(opt.Facts)
	if err != nil {
		return Result{}, err
	}
	if err := checkFactRefs(all, facts); err != nil {
		return Result{}, err
	}
	selected, err := selectDefinitions(all, opt.KPI, opt.Version)
	if err != nil {
		return Result{}, err
	}

	w, closeWorkers, err := openWorkers(ctx, db, opt.Connections)
	if err != nil {
		return Result{}, err
	}
	defer closeWorkers()
	conn := w.writer()
	for _, c := range w.conns {
		defer dropTemp(context.WithoutCancel(ctx), c)
	}
	restore, err := oneThread(ctx, w.conns...)
	if err != nil {
		return Result{}, err
	}
	defer restore()

	p, err := planJobs(ctx, conn, all, facts, selected, opt.Force)
	if err != nil {
		return Result{}, err
	}
	jobs := p.jobs
	if err := checkQueries(ctx, conn, opt.Config, facts, jobs); err != nil {
		return Result{}, err
	}
	for _, c := range w.conns[1:] {
		if err := materializeConfig(ctx, c, opt.Config); err != nil {
			return Result{}, fmt.Errorf("compute: %w", err)
		}
	}
	if err := register(ctx, conn, all, opt.Logger); err != nil {
		return Result{}, err
	}
	if err := registerFacts(ctx, conn, facts, opt.Logger); err != nil {
		return Result{}, err
	}
	loaded, err := loadedDays(ctx, conn)
	if err != nil {
		return Result{}, err
	}
	asked, history := ranges(opt.From, opt.To, loaded)
	res := newResult(jobs)
	groups := groupByDays(jobs, asked, history)
	if opt.Pending {
		pending, err := pendingGroups(ctx, conn, jobs, asked)
		if err != nil {
			return res, err
		}
		groups = append(groups, pending...)
	}
	built := &builds{}
	for _, g := range groups {
		if err := computeGroup(ctx, w, opt, facts, g, built, p.costs); err != nil {
			res.Facts = built.list
			return res, err
		}
	}
	res.Facts = built.list
	if err := recordFacts(ctx, conn, p.forced, built.list); err != nil {
		return res, err
	}
	return res, nil
}

// withDefaults checks the options and fills the defaults of Logger and
// ChunkSessions.
func (opt Options) withDefaults() (Options, error) {
	if opt.Config.Flows == nil && opt.Config.Segmentations == nil {
		return opt, errors.New("compute: Options.Config is empty: pass a loaded configuration or config.Default()")
	}
	if !opt.From.IsZero() && !opt.To.IsZero() && persona.Day(opt.From).After(persona.Day(opt.To)) {
		return opt, fmt.Errorf("compute: from %s is after to %s", persona.Day(opt.From).Format(time.DateOnly), persona.Day(opt.To).Format(time.DateOnly))
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opt.ChunkSessions <= 0 {
		opt.ChunkSessions = DefaultChunkSessions
	}
	if opt.Connections <= 0 {
		opt.Connections = DefaultConnections
	}
	if opt.Facts == nil {
		opt.Facts = kpisql.Facts()
	}
	return opt, nil
}

// plan is how a computation goes: its jobs, and the changed facts that
// Force recomputes.
type plan struct {
	jobs []*job
	// forced are facts whose SQL changed since KPI results were computed
	// with them, recomputed with Force: their new hash is recorded once
	// every version reading them is computed again.
	forced []Fact
	// costs is what each version's last computation took per day (by
	// Definition.Key), to start the longest first.
	costs map[string]time.Duration
}

// planJobs decides how each selected version is computed, from what the
// kpis and facts tables remember: a version never computed is
// back-filled; a version computed with one of the hashes its header
// supersedes, or reading a fact so rewritten, is computed as usual
// (register and registerFacts record the new hash); a
// version whose SQL changed since is refused (naming the next version
// number in all), or back-filled with force; and so is a version that
// reads a fact whose SQL changed since KPI results were computed with it.
// Force back-fills every version in all that reads such a fact, selected
// or not, as their results were all computed with its old SQL.
func planJobs(ctx context.Context, conn *sql.Conn, all []Definition, facts []Fact, selected []Definition, force bool) (plan, error) {
	states, err := readStates(ctx, conn)
	if err != nil {
		return plan{}, err
	}
	factStates, err := readFactStates(ctx, conn)
	if err != nil {
		return plan{}, err
	}
	p := plan{costs: map[string]time.Duration{}}
	for k, st := range states {
		p.costs[k] = st.perDay
	}
	var changed []error
	for {
		// Facts changed since they were computed with; with force, every
		// version reading one joins, which may need more facts.
		needed, err := factsRead(facts, selected)
		if err != nil {
			return plan{}, err
		}
		grown := false
		for _, f := range needed {
			st := factStates[f.Ref()]
			if st.hash == "" || stands(st.hash, f.Hash, f.Supersedes) || slices.ContainsFunc(p.forced, func(g Fact) bool { return g.Ref() == f.Ref() }) {
				continue
			}
			if !force {
				changed = append(changed, &ChangedError{Path: f.Path, ComputedAt: st.computedAt, Next: nextVersion(facts, f.ID), Fact: true})
				continue
			}
			p.forced = append(p.forced, f)
			for _, d := range all {
				if !slices.ContainsFunc(selected, func(s Definition) bool { return s.Key() == d.Key() }) && readsFact(facts, d, f.Ref()) {
					selected = append(selected, d)
					grown = true
				}
			}
		}
		if !grown {
			break
		}
	}
	// In definition order, the versions force added among them.
	chosen := map[string]bool{}
	for _, d := range selected {
		chosen[d.Key()] = true
	}
	for _, d := range all {
		if !chosen[d.Key()] {
			continue
		}
		j := &job{def: d}
		st, seen := states[d.Key()]
		switch {
		case !seen || st.hash == "":
			j.backfill = true
		case slices.ContainsFunc(p.forced, func(f Fact) bool { return readsFact(facts, d, f.Ref()) }):
			j.backfill, j.changed = true, true
		case !stands(st.hash, d.Hash, d.Supersedes):
			if !force {
				changed = append(changed, &ChangedError{Path: d.Path, ComputedAt: st.computedAt, Next: nextVersion(all, d.ID)})
				continue
			}
			j.backfill, j.changed = true, true
		}
		p.jobs = append(p.jobs, j)
	}
	if err := errors.Join(changed...); err != nil {
		return plan{}, err
	}
	return p, nil
}

// stands says whether results computed with the recorded hash stand for
// a definition whose text hashes to current and which supersedes the
// hashes of its earlier texts: the same text, or one it rewrote.
func stands(recorded, current string, supersedes []string) bool {
	return recorded == current || slices.Contains(supersedes, recorded)
}

// checkQueries writes the configuration's tables and checks the facts the
// jobs read and every job's query against input relations of the right
// shape and no rows (an empty range), so that no version is computed
// while one is refused.
func checkQueries(ctx context.Context, conn *sql.Conn, cfg config.Config, facts []Fact, jobs []*job) error {
	if err := materializeConfig(ctx, conn, cfg); err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	if err := setRange(ctx, conn, span{time.Unix(86400, 0).UTC(), time.Unix(0, 0).UTC()}); err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	needed, err := factsRead(facts, definitions(jobs))
	if err != nil {
		return err
	}
	if err := checkFacts(ctx, conn, needed); err != nil {
		return err
	}
	var bad []error
	for _, j := range jobs {
		if err := checkQuery(ctx, conn, j.def); err != nil {
			bad = append(bad, err)
		}
	}
	return errors.Join(bad...)
}

// definitions are the jobs' definitions.
func definitions(jobs []*job) []Definition {
	out := make([]Definition, len(jobs))
	for i, j := range jobs {
		out[i] = j.def
	}
	return out
}

// newResult lists the jobs in a Result, in definition order, and points
// each job at its entry, which computing the job fills.
func newResult(jobs []*job) Result {
	res := Result{Computed: make([]Computed, len(jobs))}
	for i, j := range jobs {
		res.Computed[i] = Computed{KPI: j.def.ID, Version: j.def.Version, Backfill: j.backfill, Changed: j.changed}
		j.out = &res.Computed[i]
	}
	return res
}

// jobGroup is versions computed over the same days, together, so that
// each chunk's inputs are built once for all of them.
type jobGroup struct {
	days span
	jobs []*job
}

// groupByDays puts the back-filled versions over the history and the
// others over the days asked for; one group when those are the same days.
func groupByDays(jobs []*job, asked, history span) []jobGroup {
	if asked == history {
		return []jobGroup{{asked, jobs}}
	}
	var partial, backfill []*job
	for _, j := range jobs {
		if j.backfill {
			backfill = append(backfill, j)
		} else {
			partial = append(partial, j)
		}
	}
	return []jobGroup{{asked, partial}, {history, backfill}}
}

// pendingGroups finds, for the versions not back-filled, the loaded days
// outside asked whose results are missing or older than the day's load
// (see computed_days), and groups them into runs of days to compute with
// the versions that need them: whatever stopped a run before it computed
// what it loaded, the next computation completes it.
func pendingGroups(ctx context.Context, conn *sql.Conn, jobs []*job, asked span) ([]jobGroup, error) {
	need := map[time.Time][]*job{}
	for _, j := range jobs {
		if j.backfill {
			continue
		}
		days, err := pendingDays(ctx, conn, j.def)
		if err != nil {
			return nil, err
		}
		for _, d := range days {
			if asked.empty() || d.Before(asked.from) || d.After(asked.to) {
				need[d] = append(need[d], j)
			}
		}
	}
	days := make([]time.Time, 0, len(need))
	for d := range need {
		days = append(days, d)
	}
	slices.SortFunc(days, func(a, b time.Time) int { return a.Compare(b) })
	var groups []jobGroup
	for i := 0; i < len(days); {
		// A run of consecutive days, computed for every version that needs
		// any of them.
		k := i + 1
		for k < len(days) && days[k].Equal(days[k-1].AddDate(0, 0, 1)) {
			k++
		}
		var js []*job
		for _, d := range days[i:k] {
			for _, j := range need[d] {
				if !slices.Contains(js, j) {
					js = append(js, j)
				}
			}
		}
		groups = append(groups, jobGroup{span{days[i], days[k-1]}, js})
		i = k
	}
	return groups, nil
}

// pendingDays are the loaded days whose results of d are missing or were
// computed from an earlier load of the day.
func pendingDays(ctx context.Context, conn *sql.Conn, d Definition) ([]time.Time, error) {
	rows, err := conn.QueryContext(ctx, `SELECT l.day FROM main.loaded_days l
		LEFT JOIN main.computed_days c ON c.kpi = ? AND c.version = ? AND c.day = l.day
		WHERE c.day IS NULL OR c.loaded_at IS DISTINCT FROM l.loaded_at ORDER BY l.day`, d.ID, d.Version)
	if err != nil {
		return nil, fmt.Errorf("compute %s: pending days: %w", d.Path, err)
	}
	defer rows.Close()
	var days []time.Time
	for rows.Next() {
		var day time.Time
		if err := rows.Scan(&day); err != nil {
			return nil, fmt.Errorf("compute %s: pending days: %w", d.Path, err)
		}
		days = append(days, persona.Day(day))
	}
	return days, rows.Err()
}

// computeGroup computes a group's versions over its days; with nothing
// loaded they stay listed with zero days.
func computeGroup(ctx context.Context, w *workers, opt Options, facts []Fact, g jobGroup, built *builds, costs map[string]time.Duration) error {
	if len(g.jobs) == 0 {
		return nil
	}
	if g.days.empty() {
		for _, j := range g.jobs {
			opt.Logger.Info("kpi: no days to compute", "kpi", j.def.ID, "version", j.def.Version)
		}
		return nil
	}
	needed, err := factsRead(facts, definitions(g.jobs))
	if err != nil {
		return err
	}
	return computeRange(ctx, w, opt, g.jobs, needed, built, g.days, costs)
}

// span is a run of days, from and to inclusive; zero days mean none.
type span struct{ from, to time.Time }

func (s span) empty() bool { return s.from.IsZero() || s.to.IsZero() || s.from.After(s.to) }

// ranges resolves the days asked for (a zero from or to is the first or
// last loaded day) and the days a backfill covers: every loaded day, and
// the asked ones too, so that a backfill also clears asked days with no
// data.
func ranges(from, to time.Time, loaded span) (asked, history span) {
	asked = span{persona.Day(from), persona.Day(to)}
	if from.IsZero() {
		asked.from = loaded.from
	}
	if to.IsZero() {
		asked.to = loaded.to
	}
	history = loaded
	if !asked.empty() {
		if history.from.IsZero() || asked.from.Before(history.from) {
			history.from = asked.from
		}
		if history.to.IsZero() || asked.to.After(history.to) {
			history.to = asked.to
		}
	}
	return asked, history
}

// selectDefinitions applies Options.KPI and Options.Version.
func selectDefinitions(all []Definition, kpi string, version int) ([]Definition, error) {
	var out []Definition
	for _, d := range all {
		if (kpi == "" || d.ID == kpi) && (version == 0 || d.Version == version) {
			out = append(out, d)
		}
	}
	if len(out) == 0 && (kpi != "" || version != 0) {
		what := kpi
		if version != 0 {
			what = strings.TrimSpace(fmt.Sprintf("%s v%d", kpi, version))
		}
		return nil, fmt.Errorf("compute %s: %w (see %s)", what, ErrNoKPI, SourceDir)
	}
	return out, nil
}

// nextVersion is the version number a changed version of id should take
// instead: one more than the last of all.
func nextVersion[T interface{ idVersion() (string, int) }](all []T, id string) int {
	n := 0
	for _, d := range all {
		if i, v := d.idVersion(); i == id && v > n {
			n = v
		}
	}
	return n + 1
}

func readStates(ctx context.Context, conn *sql.Conn) (map[string]state, error) {
	rows, err := conn.QueryContext(ctx, `SELECT kpi, version, coalesce(sha256, ''), computed_at,
		coalesce(last_compute_ms / nullif(last_compute_days, 0), 0) FROM kpis`)
	if err != nil {
		return nil, fmt.Errorf("compute: read kpis: %w", err)
	}
	defer rows.Close()
	out := map[string]state{}
	for rows.Next() {
		var id, hash string
		var version int
		var at sql.NullTime
		var ms float64
		if err := rows.Scan(&id, &version, &hash, &at, &ms); err != nil {
			return nil, fmt.Errorf("compute: read kpis: %w", err)
		}
		out[Definition{ID: id, Version: version}.Key()] = state{hash: hash, computedAt: at.Time, perDay: time.Duration(ms * float64(time.Millisecond))}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("compute: read kpis: %w", err)
	}
	return out, nil
}

// register writes every definition's header fields into kpis, keeping what
// is recorded of its computations, and records the new hash and SQL of a
// version computed with a hash its header supersedes: the rewrite gives
// the same results, so they stand.
func register(ctx context.Context, conn *sql.Conn, all []Definition, log *slog.Logger) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("compute: register: %w", err)
	}
	defer tx.Rollback()
	for _, d := range all {
		segs := strings.Join(d.Segmentations, ",")
		facts := jsonList(d.Facts)
		r, err := tx.ExecContext(ctx, `UPDATE kpis SET title = ?, question = ?, unit = ?, kind = ?, page_order = ?, better = ?,
				segmentations = string_split(?, ','), description = ?, path = ?, facts = CAST(?::JSON AS VARCHAR[]), estimate = ?
			WHERE kpi = ? AND version = ?`,
			d.Title, d.Question, d.Unit, d.Kind, d.Order, d.Better, segs, d.Description, d.Path, facts, d.Estimate.String(), d.ID, d.Version)
		if err != nil {
			return fmt.Errorf("compute: register %s: %w", d.Path, err)
		}
		if n, err := r.RowsAffected(); err != nil || n == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO kpis (kpi, version, title, question, unit, kind, page_order, better, segmentations, description, path, facts, estimate)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, string_split(?, ','), ?, ?, CAST(?::JSON AS VARCHAR[]), ?)`,
				d.ID, d.Version, d.Title, d.Question, d.Unit, d.Kind, d.Order, d.Better, segs, d.Description, d.Path, facts, d.Estimate.String()); err != nil {
				return fmt.Errorf("compute: register %s: %w", d.Path, err)
			}
		}
		recorded, err := recordRewrite(ctx, tx, "kpis", "kpi", d.ID, d.Version, d.Hash, d.SQL, d.Supersedes)
		if err != nil {
			return fmt.Errorf("compute: register %s: %w", d.Path, err)
		}
		if recorded {
			log.Info("kpi: recorded the rewritten SQL of a computed version, whose results stand", "kpi", d.ID, "version", d.Version, "sha256", d.Hash)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("compute: register: %w", err)
	}
	return nil
}

// recordRewrite records hash and query as those of version of id in
// table (kpis or facts, keyed by idColumn and version) where the
// recorded hash is one of those the rewrite supersedes, and says whether
// it did: the rewrite gives the same results, so they stand.
func recordRewrite(ctx context.Context, tx *sql.Tx, table, idColumn, id string, version int, hash, query string, supersedes []string) (bool, error) {
	if len(supersedes) == 0 {
		return false, nil
	}
	r, err := tx.ExecContext(ctx, `UPDATE `+table+` SET sha256 = ?, sql = ?
		WHERE `+idColumn+` = ? AND version = ? AND list_contains(CAST(?::JSON AS VARCHAR[]), sha256)`,
		hash, query, id, version, jsonList(supersedes))
	if err != nil {
		return false, err
	}
	n, err := r.RowsAffected()
	return err == nil && n > 0, nil
}

// jsonList writes list (of strings or fmt.Stringers) as a JSON array of
// strings, for a VARCHAR[] parameter.
func jsonList[T any](list []T) string {
	out := make([]string, len(list))
	for i, v := range list {
		out[i] = fmt.Sprint(v)
	}
	b, err := json.Marshal(out)
	if err != nil {
		panic(err) // a list of strings always marshals
	}
	return string(b)
}

// resultColumns are the columns a KPI query returns: kpi_results' columns
// after kpi and version, which the runner takes from the header.
var resultColumns = []column{
	{"day", "DATE"},
	{"segmentation", "VARCHAR"},
	{"segment", "VARCHAR"},
	{"step", "VARCHAR"},
	{"value", "DOUBLE"},
	{"numerator", "DOUBLE"},
	{"denominator", "DOUBLE"},
}

// checkQuery refuses a query that is not one SELECT, reads a fact its
// header does not list (or lists one it does not read), does not run on
// the (empty) input relations, or does not return its estimate's columns.
func checkQuery(ctx context.Context, conn *sql.Conn, d Definition) error {
	file := strings.TrimPrefix(d.Path, SourceDir+"/")
	if err := checkSelect(ctx, conn, d.SQL, d.Facts); err != nil {
		return defErr(file, err)
	}
	cols, err := describe(ctx, conn, "DESCRIBE\n"+d.SQL)
	if err != nil {
		return defErr(file, err)
	}
	want := d.Estimate.columns()
	ok := len(cols) == len(want)
	for i, c := range cols {
		if i >= len(want) || c.name != want[i].name || !typeFits(want[i].typ, c.typ) {
			ok = false
		}
	}
	if !ok {
		what := "kpi and version come from the header"
		switch {
		case d.Estimate.Method == EstimateQuantiles:
			what = "one row per observation: quantiles are estimated from the observations and their blobs' weights"
		case d.Estimate.fromBlobs():
			what = "sums is kpi_sums(w, y) over the row's blobs: a " + d.Estimate.Method + " is estimated from them"
		}
		return defErr(file, fmt.Errorf("the query returns (%s); it must return exactly (%s) (%s; numbers may be any numeric type)",
			columnList(cols), columnList(want), what))
	}
	return nil
}

// factTable matches the name of a fact's table, FactRef.Table.
var factTable = regexp.MustCompile(`^fact_([a-z][a-z0-9_]*)_v([1-9][0-9]*)$`)

// checkSelect refuses a query that is not one SELECT statement, or that
// reads a fact table that facts does not list, or does not read one it
// lists. Its errors do not name the file.
func checkSelect(ctx context.Context, conn *sql.Conn, query string, facts []FactRef) error {
	var parsed string
	// json_serialize_sql takes a constant, not a parameter: a quoted literal.
	lit := "'" + strings.ReplaceAll(query, "'", "''") + "'"
	if err := conn.QueryRowContext(ctx, `SELECT json_serialize_sql(`+lit+`)`).Scan(&parsed); err != nil {
		return fmt.Errorf("parse query: %w", err)
	}
	var p struct {
		Error      bool              `json:"error"`
		Message    string            `json:"error_message"`
		Statements []json.RawMessage `json:"statements"`
	}
	if err := json.Unmarshal([]byte(parsed), &p); err != nil {
		return fmt.Errorf("parse query: %w", err)
	}
	if p.Error {
		return fmt.Errorf("the query must be one SELECT statement: %s", p.Message)
	}
	if len(p.Statements) != 1 {
		return fmt.Errorf("the query must be one SELECT statement, found %d statements", len(p.Statements))
	}
	var tree any
	if err := json.Unmarshal(p.Statements[0], &tree); err != nil {
		return fmt.Errorf("parse query: %w", err)
	}
	read := map[string]bool{}
	tablesRead(tree, read)
	var problems []string
	for t := range read {
		if m := factTable.FindStringSubmatch(t); m != nil && !slices.ContainsFunc(facts, func(r FactRef) bool { return r.Table() == t }) {
			problems = append(problems, fmt.Sprintf("it reads %s, which the header's facts: does not list (add %s v%s)", t, m[1], m[2]))
		}
	}
	for _, r := range facts {
		if !read[r.Table()] {
			problems = append(problems, fmt.Sprintf("the header's facts: lists %s, whose table %s the query does not read", r, r.Table()))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// tablesRead adds to read the names, in lower case, of the tables a
// parsed statement (json_serialize_sql) reads: its CTEs' names among them.
func tablesRead(node any, read map[string]bool) {
	switch n := node.(type) {
	case map[string]any:
		if n["type"] == "BASE_TABLE" {
			if name, ok := n["table_name"].(string); ok {
				read[strings.ToLower(name)] = true
			}
		}
		for _, v := range n {
			tablesRead(v, read)
		}
	case []any:
		for _, v := range n {
			tablesRead(v, read)
		}
	}
}

// column is a column of a described query or table.
type column struct{ name, typ string }

// columnList writes columns as "name TYPE, name TYPE".
func columnList(cols []column) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.name + " " + c.typ
	}
	return strings.Join(out, ", ")
}

// describe runs a DESCRIBE statement and lists the columns it describes.
// Its errors do not name the file.
func describe(ctx context.Context, conn *sql.Conn, stmt string) ([]column, error) {
	rows, err := conn.QueryContext(ctx, stmt)
	if err != nil {
		return nil, fmt.Errorf("query does not run on empty input: %w", err)
	}
	defer rows.Close()
	var cols []column
	for rows.Next() {
		var c column
		var null, key, def, extra sql.NullString
		if err := rows.Scan(&c.name, &c.typ, &null, &key, &def, &extra); err != nil {
			return nil, fmt.Errorf("describe query: %w", err)
		}
		cols = append(cols, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("describe query: %w", err)
	}
	return cols, nil
}

// typeFits says whether a column of DuckDB type got can fill a kpi_results
// column of type want. Numbers of any type become DOUBLE; a bare NULL is
// typed INTEGER by DuckDB.
func typeFits(want, got string) bool {
	if want != "DOUBLE" {
		return got == want
	}
	switch got {
	case "DOUBLE", "FLOAT", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
		"UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT":
		return true
	}
	return strings.HasPrefix(got, "DECIMAL")
}

// loadedDays is the span of loaded days (empty if none).
func loadedDays(ctx context.Context, conn *sql.Conn) (span, error) {
	var from, to sql.NullTime
	err := conn.QueryRowContext(ctx, `SELECT min(day), max(day) FROM (
		SELECT day FROM main.loaded_days UNION ALL SELECT day FROM main.sessions)`).Scan(&from, &to)
	if err != nil {
		return span{}, fmt.Errorf("compute: loaded days: %w", err)
	}
	return span{persona.Day(from.Time), persona.Day(to.Time)}, nil
}

// chunk is a run of days computed together, and how many sessions it has.
type chunk struct {
	span
	sessions int64
}

// planChunks splits days into runs of whole days of at most max sessions
// each (a day larger than max is a run of its own): one statement per KPI
// reads one run.
func planChunks(ctx context.Context, conn *sql.Conn, days span, max int) ([]chunk, error) {
	from, to := days.from, days.to
	rows, err := conn.QueryContext(ctx, `SELECT day, count(*) FROM main.sessions
		WHERE day BETWEEN ?::DATE AND ?::DATE GROUP BY day`, from.Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		return nil, fmt.Errorf("compute: count sessions: %w", err)
	}
	defer rows.Close()
	perDay := map[time.Time]int64{}
	for rows.Next() {
		var d time.Time
		var n int64
		if err := rows.Scan(&d, &n); err != nil {
			return nil, fmt.Errorf("compute: count sessions: %w", err)
		}
		perDay[persona.Day(d)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("compute: count sessions: %w", err)
	}
	var out []chunk
	cur := chunk{span: span{from: from}}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if cur.sessions > 0 && cur.sessions+perDay[d] > int64(max) {
			cur.to = d.AddDate(0, 0, -1)
			out = append(out, cur)
			cur = chunk{span: span{from: d}}
		}
		cur.sessions += perDay[d]
	}
	cur.to = to
	return append(out, cur), nil
}

// computeRange computes jobs over days, chunk by chunk, building the facts
// they read for each chunk before and dropping them after. A chunk's facts
// and versions are computed on all of w's connections at once (runChunk),
// and its results written by the writer in one transaction (writeChunk).
// costs is what each version is expected to take per day, from its last
// computation; after a chunk, what it took in this one.
func computeRange(ctx context.Context, w *workers, opt Options, jobs []*job, facts []Fact, built *builds, days span, costs map[string]time.Duration) error {
	from, to, log := days.from, days.to, opt.Logger
	conn := w.writer()
	chunks, err := planChunks(ctx, conn, days, opt.ChunkSessions)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		// A version computed over several runs of days (the days asked
		// and pending ones) reports the span of all of them.
		if j.out.Days == 0 || from.Before(j.out.From) {
			j.out.From = from
		}
		if j.out.Days == 0 || to.After(j.out.To) {
			j.out.To = to
		}
		j.out.Days += int(to.Sub(from)/(24*time.Hour)) + 1
	}
	if opt.MemoryLimit != "" {
		defer conn.ExecContext(context.Background(), "SET memory_limit = '"+opt.MemoryLimit+"'")
	}
	for i, c := range chunks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if opt.MemoryLimit != "" {
			limit := opt.MemoryLimit
			if c.sessions <= DefaultChunkSessions {
				limit = chunkMemoryLimit
			}
			if _, err := conn.ExecContext(ctx, "SET memory_limit = '"+limit+"'"); err != nil {
				log.Warn("compute: DuckDB's memory limit stays as it was", "limit", limit, "err", err)
			}
		}
		for _, wc := range w.conns {
			if err := setRange(ctx, wc, c.span); err != nil {
				return fmt.Errorf("compute: %w", err)
			}
		}
		nDays := int64(c.to.Sub(c.from)/(24*time.Hour)) + 1
		expect := map[string]time.Duration{}
		for _, j := range jobs {
			if j.out.Elapsed > 0 {
				expect[j.def.Key()] = j.out.Elapsed
			} else {
				expect[j.def.Key()] = costs[j.def.Key()] * time.Duration(nDays)
			}
		}
		if err := runChunk(ctx, w, jobs, facts, built, c.span, expect); err != nil {
			return err
		}
		if err := writeChunk(ctx, conn, jobs, facts, c.span, i == 0, i == len(chunks)-1, days); err != nil {
			return err
		}
		if err := dropOuts(ctx, conn, jobs); err != nil {
			return err
		}
		if err := dropFacts(ctx, conn, facts); err != nil {
			return err
		}
		log.Debug("kpi: computed days", "from", c.from.Format(time.DateOnly), "to", c.to.Format(time.DateOnly), "versions", len(jobs), "facts", len(facts))
	}
	for _, f := range facts {
		b := built.of(f)
		log.Info("kpi: built fact", "fact", f.ID, "version", f.Version, "from", from.Format(time.DateOnly), "to", to.Format(time.DateOnly),
			"chunks", b.Chunks, "rows", b.Rows, "elapsed", b.Elapsed)
	}
	for _, j := range jobs {
		log.Info("kpi: computed", "kpi", j.def.ID, "version", j.def.Version,
			"from", from.Format(time.DateOnly), "to", to.Format(time.DateOnly),
			"rows", j.out.Rows, "backfill", j.backfill, "changed", j.changed, "elapsed", j.out.Elapsed)
	}
	return nil
}

// writeChunk replaces the chunk's days of every job in one transaction
// on conn, with the rows runChunk left in each job's outTable. The first
// chunk of a backfill also clears the version's other days; the last
// records the version's hash. The hash of a fact the jobs read is recorded
// with the first results computed with it.
//
// Each step is one statement for every job at once: the writer runs
// while both workers wait, and four statements a job (39 versions) took
// 60 ms a chunk, mostly DuckDB preparing each statement.
func writeChunk(ctx context.Context, conn *sql.Conn, jobs []*job, facts []Fact, c span, first, last bool, days span) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("compute: %w", err)
	}
	defer tx.Rollback()
	cf, ct := c.from.Format(time.DateOnly), c.to.Format(time.DateOnly)
	fail := func(err error) error { return fmt.Errorf("compute %s..%s: %w", cf, ct, err) }
	if err := clearDays(ctx, tx, jobs, first, cf, ct); err != nil {
		return fail(err)
	}
	outs := make([]string, len(jobs))
	for i, j := range jobs {
		outs[i] = fmt.Sprintf("SELECT %s AS kpi, %d AS version, * FROM %s", quote(j.def.ID), j.def.Version, outTable(j.def))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO kpi_results BY NAME `+strings.Join(outs, "\nUNION ALL ")); err != nil {
		return fail(err)
	}
	// The chunk's days are current for these versions, in the same
	// transaction as their results.
	if _, err := tx.ExecContext(ctx, `INSERT INTO computed_days
		SELECT k.kpi, k.version, day, loaded_at, now() FROM loaded_days, `+versionKeys(jobs)+` WHERE day BETWEEN ?::DATE AND ?::DATE`,
		cf, ct); err != nil {
		return fail(err)
	}
	if last {
		for _, j := range jobs {
			if err := record(ctx, tx, j, days); err != nil {
				return err
			}
		}
	}
	if err := recordFirstUse(ctx, tx, facts); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return nil
}

// clearDays deletes the jobs' rows that writeChunk replaces: every day
// of a backfill's version in its first chunk, the chunk's days (from..to)
// of the others.
func clearDays(ctx context.Context, tx *sql.Tx, jobs []*job, first bool, from, to string) error {
	var whole, chunkDays []*job
	for _, j := range jobs {
		if first && j.backfill {
			whole = append(whole, j)
		} else {
			chunkDays = append(chunkDays, j)
		}
	}
	for _, table := range []string{"kpi_results", "computed_days"} {
		for _, group := range []struct {
			jobs  []*job
			where string
			args  []any
		}{{whole, "", nil}, {chunkDays, ` AND day BETWEEN ?::DATE AND ?::DATE`, []any{from, to}}} {
			if len(group.jobs) == 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" USING "+versionKeys(group.jobs)+
				" WHERE "+table+".kpi = k.kpi AND "+table+".version = k.version"+group.where, group.args...); err != nil {
				return err
			}
		}
	}
	return nil
}

// versionKeys is a relation k(kpi, version) of the jobs' versions.
func versionKeys(jobs []*job) string {
	rows := make([]string, len(jobs))
	for i, j := range jobs {
		rows[i] = fmt.Sprintf("(%s, %d)", quote(j.def.ID), j.def.Version)
	}
	return "(VALUES " + strings.Join(rows, ", ") + ") k(kpi, version)"
}

// checkOutput refuses rows a KPI query must not produce: days outside the
// chunk (it read sessions or events instead of the kpi_* relations),
// segmentations its header does not declare, NULL keys, non-finite
// numbers, steps that do not fit its kind, and duplicate keys.
func checkOutput(ctx context.Context, tx *sql.Tx, d Definition, c span) (rows int64, err error) {
	var keys, outside, undeclared, nullKeys, badNumbers, badSteps int64
	err = tx.QueryRowContext(ctx, `SELECT
			count(*),
			count(DISTINCT row(day, segmentation, segment, step)),
			count(*) FILTER (WHERE day IS NULL OR day < ?::DATE OR day > ?::DATE),
			count(*) FILTER (WHERE segmentation IS NOT NULL AND NOT list_contains(string_split(?, ','), segmentation)),
			count(*) FILTER (WHERE segmentation IS NULL OR segment IS NULL OR step IS NULL),
			count(*) FILTER (WHERE value IS NULL
				OR NOT isfinite(value::DOUBLE)
				OR NOT coalesce(isfinite(numerator::DOUBLE), true)
				OR NOT coalesce(isfinite(denominator::DOUBLE), true)),
			count(*) FILTER (WHERE CASE WHEN ? THEN step <> '' ELSE step = '' END)
		FROM kpi_out`,
		c.from.Format(time.DateOnly), c.to.Format(time.DateOnly), strings.Join(d.Segmentations, ","), d.Kind == "timeseries",
	).Scan(&rows, &keys, &outside, &undeclared, &nullKeys, &badNumbers, &badSteps)
	if err != nil {
		return 0, fmt.Errorf("compute %s: check rows: %w", d.Path, err)
	}
	var problems []string
	if outside > 0 {
		problems = append(problems, fmt.Sprintf("%d rows have a day outside %s..%s (read kpi_sessions, kpi_events, kpi_blobs, not sessions or events)",
			outside, c.from.Format(time.DateOnly), c.to.Format(time.DateOnly)))
	}
	if undeclared > 0 {
		problems = append(problems, fmt.Sprintf("%d rows have a segmentation the header does not list (%s)", undeclared, strings.Join(d.Segmentations, ", ")))
	}
	if nullKeys > 0 {
		problems = append(problems, fmt.Sprintf("%d rows have a NULL segmentation, segment or step (use '' for no step)", nullKeys))
	}
	if badNumbers > 0 {
		problems = append(problems, fmt.Sprintf("%d rows have a NULL, NaN or infinite value, or a NaN or infinite numerator or denominator (leave out a rate whose denominator is 0)", badNumbers))
	}
	if badSteps > 0 {
		if d.Kind == "timeseries" {
			problems = append(problems, fmt.Sprintf("%d rows have a step, but a timeseries has step ''", badSteps))
		} else {
			problems = append(problems, fmt.Sprintf("%d rows have no step, but a %s names one on every row", badSteps, d.Kind))
		}
	}
	if nullKeys == 0 && keys < rows {
		var dup string
		err = tx.QueryRowContext(ctx, `SELECT day::VARCHAR || ' ' || segmentation || '/' || segment || ' step ''' || step || ''''
			FROM kpi_out GROUP BY day, segmentation, segment, step HAVING count(*) > 1
			ORDER BY day, segmentation, segment, step LIMIT 1`).Scan(&dup)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return 0, fmt.Errorf("compute %s: check rows: %w", d.Path, err)
		default:
			problems = append(problems, "more than one row for "+dup)
		}
	}
	if len(problems) > 0 {
		file := strings.TrimPrefix(d.Path, SourceDir+"/")
		return 0, defErr(file, errors.New(strings.Join(problems, "; ")))
	}
	return rows, nil
}

// record stores the hash and SQL a version was computed with, which days
// it covers, and how long this computation of it took.
func record(ctx context.Context, tx *sql.Tx, j *job, days span) error {
	d := j.def
	f, t := days.from.Format(time.DateOnly), days.to.Format(time.DateOnly)
	_, err := tx.ExecContext(ctx, `UPDATE kpis SET sha256 = ?, sql = ?, computed_at = ?,
			computed_from = CASE WHEN ? THEN ?::DATE ELSE least(coalesce(computed_from, ?::DATE), ?::DATE) END,
			computed_to = CASE WHEN ? THEN ?::DATE ELSE greatest(coalesce(computed_to, ?::DATE), ?::DATE) END,
			last_compute_ms = ?, last_compute_days = ?
		WHERE kpi = ? AND version = ?`,
		d.Hash, d.SQL, time.Now().UTC(),
		j.backfill, f, f, f,
		j.backfill, t, t, t,
		j.out.Elapsed.Milliseconds(), j.out.Days,
		d.ID, d.Version)
	if err != nil {
		return fmt.Errorf("compute %s: record: %w", d.Path, err)
	}
	return nil
}

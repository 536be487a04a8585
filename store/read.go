package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// The read models below are what kpi status and the report both show.
// They take any *sql.DB on the store: a reader's, or the writer's when a
// run reports on itself.

// Run is one row of the runs table.
type Run struct {
	ID                                    int64
	Command, Status, Source, Error        string
	StartedAt                             time.Time
	EndedAt                               sql.NullTime
	FromDay, ToDay                        sql.NullTime
	Fetched, Loaded, Duplicates, Rejected int64
	ServerEvents, Conflicts               int64
	DaysProcessed, DaysUnchanged          int64
}

// Counts is the run's accounting.
func (r Run) Counts() persona.Counts {
	return persona.Counts{Fetched: r.Fetched, Loaded: r.Loaded, ServerEvents: r.ServerEvents,
		Duplicates: r.Duplicates, Rejected: r.Rejected, Conflicts: r.Conflicts}
}

const runColumns = `id, command, started_at, ended_at, status, source, from_day, to_day,
	fetched, loaded, duplicates, rejected, coalesce(server_events, 0), coalesce(conflicts, 0), coalesce(days_processed, 0), coalesce(days_unchanged, 0), coalesce(error, '')`

func scanRun(sc interface{ Scan(...any) error }) (Run, error) {
	var r Run
	err := sc.Scan(&r.ID, &r.Command, &r.StartedAt, &r.EndedAt, &r.Status, &r.Source, &r.FromDay, &r.ToDay,
		&r.Fetched, &r.Loaded, &r.Duplicates, &r.Rejected, &r.ServerEvents, &r.Conflicts, &r.DaysProcessed, &r.DaysUnchanged, &r.Error)
	return r, err
}

// readAll runs a read model's query and scans each row with scan; table
// names what is read in errors.
func readAll[T any](ctx context.Context, db *sql.DB, table, q string, args []any, scan func(*sql.Rows) (T, error)) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", table, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", table, err)
	}
	return out, nil
}

// Runs lists the most recent runs, newest first.
func Runs(ctx context.Context, db *sql.DB, limit int) ([]Run, error) {
	return readAll(ctx, db, "runs", `SELECT `+runColumns+` FROM runs ORDER BY id DESC LIMIT ?`, []any{limit},
		func(rows *sql.Rows) (Run, error) { return scanRun(rows) })
}

// RunByID reads one run; nil if there is none with that id.
func RunByID(ctx context.Context, db *sql.DB, id int64) (*Run, error) {
	return oneRun(db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs WHERE id = ?`, id))
}

// LatestSuccessfulRun reads the newest run that succeeded; nil if none.
func LatestSuccessfulRun(ctx context.Context, db *sql.DB) (*Run, error) {
	return oneRun(db.QueryRowContext(ctx, `SELECT `+runColumns+` FROM runs
		WHERE status = '`+StatusSuccess+`' ORDER BY id DESC LIMIT 1`))
}

func oneRun(row *sql.Row) (*Run, error) {
	r, err := scanRun(row)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("read runs: %w", err)
	}
	return &r, nil
}

// LoadedDay is one row of loaded_days: a day in the store and its counts.
type LoadedDay struct {
	Day                                   time.Time
	RunID                                 int64
	LoadedAt                              time.Time
	Fetched, Loaded, Duplicates, Rejected int64
	ServerEvents, Conflicts               int64
}

// Counts is the day's accounting.
func (l LoadedDay) Counts() persona.Counts {
	return persona.Counts{Fetched: l.Fetched, Loaded: l.Loaded, ServerEvents: l.ServerEvents,
		Duplicates: l.Duplicates, Rejected: l.Rejected, Conflicts: l.Conflicts}
}

// LoadedDays lists the days in the store, in order.
func LoadedDays(ctx context.Context, db *sql.DB) ([]LoadedDay, error) {
	return readAll(ctx, db, "loaded_days", `SELECT day, run_id, loaded_at, fetched, loaded, duplicates, rejected,
		coalesce(server_events, 0), coalesce(conflicts, 0) FROM loaded_days ORDER BY day`, nil,
		func(rows *sql.Rows) (l LoadedDay, err error) {
			err = rows.Scan(&l.Day, &l.RunID, &l.LoadedAt, &l.Fetched, &l.Loaded, &l.Duplicates, &l.Rejected, &l.ServerEvents, &l.Conflicts)
			l.Day = l.Day.UTC()
			return l, err
		})
}

// RejectCount is how many blobs were rejected for a reason on a day.
type RejectCount struct {
	Day    time.Time
	Reason string
	N      int64
}

// RejectsByDay counts rejected blobs per day and reason, in order.
func RejectsByDay(ctx context.Context, db *sql.DB) ([]RejectCount, error) {
	return readAll(ctx, db, "rejects", `SELECT day, reason, count(*) FROM rejects GROUP BY day, reason ORDER BY day, reason`, nil,
		func(rows *sql.Rows) (c RejectCount, err error) {
			err = rows.Scan(&c.Day, &c.Reason, &c.N)
			c.Day = c.Day.UTC()
			return c, err
		})
}

// Span is the range of loaded days and the runs of days missing inside it.
type Span struct {
	First, Last time.Time // zero when nothing is loaded
	Days        int64
	Missing     []DayRange
}

// MissingDays is how many days the missing runs hold.
func (sp Span) MissingDays() int {
	n := 0
	for _, r := range sp.Missing {
		n += r.Days()
	}
	return n
}

// LoadedSpan reads the range of loaded days and the gaps in it.
func LoadedSpan(ctx context.Context, db *sql.DB) (Span, error) {
	var sp Span
	var first, last sql.NullTime
	if err := db.QueryRowContext(ctx, `SELECT min(day), max(day), count(*) FROM loaded_days`).Scan(&first, &last, &sp.Days); err != nil {
		return sp, fmt.Errorf("read loaded_days: %w", err)
	}
	if !first.Valid {
		return sp, nil
	}
	sp.First, sp.Last = first.Time.UTC(), last.Time.UTC()
	var err error
	sp.Missing, err = MissingRanges(ctx, db)
	return sp, err
}

// DayRange is a run of days, First to Last (equal for one day).
type DayRange struct{ First, Last time.Time }

// Days is how many days the range holds.
func (r DayRange) Days() int { return int(r.Last.Sub(r.First).Hours()/24+0.5) + 1 }

// MissingRanges lists the runs of days between the first and the last
// loaded day that were never loaded, in order: one row per run, however
// long, so the answer grows with the gaps, not with the days in them.
func MissingRanges(ctx context.Context, db *sql.DB) ([]DayRange, error) {
	return readAll(ctx, db, "loaded_days", `SELECT prev + 1, day - 1 FROM (
			SELECT day, lag(day) OVER (ORDER BY day) AS prev FROM loaded_days)
		WHERE day - prev > 1 ORDER BY day`, nil,
		func(rows *sql.Rows) (r DayRange, err error) {
			err = rows.Scan(&r.First, &r.Last)
			r.First, r.Last = r.First.UTC(), r.Last.UTC()
			return r, err
		})
}

// ReasonTotal is how many blobs were rejected for a reason, and the last
// day one was.
type ReasonTotal struct {
	Reason string
	N      int64
	Last   time.Time
}

// RejectReasons totals the rejected blobs by reason, most frequent first.
func RejectReasons(ctx context.Context, db *sql.DB) ([]ReasonTotal, error) {
	return readAll(ctx, db, "rejects", `SELECT reason, count(*), max(day) FROM rejects GROUP BY reason ORDER BY 2 DESC, 1`, nil,
		func(rows *sql.Rows) (r ReasonTotal, err error) {
			err = rows.Scan(&r.Reason, &r.N, &r.Last)
			return r, err
		})
}

// KPIVersion is what the kpis registry says of one KPI version's
// computation.
type KPIVersion struct {
	KPI, Title      string
	Version         int
	ComputedTo      sql.NullTime
	LastComputeMs   sql.NullInt64
	LastComputeDays sql.NullInt64
}

// KPIVersions lists every registered KPI version by id and version.
func KPIVersions(ctx context.Context, db *sql.DB) ([]KPIVersion, error) {
	return readAll(ctx, db, "kpis", `SELECT kpi, version, title, computed_to, last_compute_ms, last_compute_days
		FROM kpis ORDER BY kpi, version`, nil,
		func(rows *sql.Rows) (v KPIVersion, err error) {
			err = rows.Scan(&v.KPI, &v.Version, &v.Title, &v.ComputedTo, &v.LastComputeMs, &v.LastComputeDays)
			return v, err
		})
}

// UncomputedDays lists the loaded days some registered KPI version has
// no current results for: never computed, or computed from an earlier
// load of the day (computed_days). The next kpi run or kpi compute
// computes them.
func UncomputedDays(ctx context.Context, db *sql.DB) ([]time.Time, error) {
	days, err := queryDays(ctx, db, `SELECT DISTINCT l.day FROM loaded_days l CROSS JOIN kpis k
		LEFT JOIN computed_days c ON c.kpi = k.kpi AND c.version = k.version AND c.day = l.day
		WHERE c.day IS NULL OR c.loaded_at IS DISTINCT FROM l.loaded_at ORDER BY l.day`)
	if err != nil {
		return nil, fmt.Errorf("read computed_days: %w", err)
	}
	return days, nil
}

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

// Runs lists the most recent runs, newest first.
func Runs(ctx context.Context, db *sql.DB, limit int) ([]Run, error) {
	rows, err := db.QueryContext(ctx, `SELECT `+runColumns+` FROM runs ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("read runs: %w", err)
	}
	defer rows.Close()
	var out []Run
	for rows.Next() {
		r, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("read runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
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
	rows, err := db.QueryContext(ctx, `SELECT day, run_id, loaded_at, fetched, loaded, duplicates, rejected,
		coalesce(server_events, 0), coalesce(conflicts, 0) FROM loaded_days ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("read loaded_days: %w", err)
	}
	defer rows.Close()
	var out []LoadedDay
	for rows.Next() {
		var l LoadedDay
		if err := rows.Scan(&l.Day, &l.RunID, &l.LoadedAt, &l.Fetched, &l.Loaded, &l.Duplicates, &l.Rejected, &l.ServerEvents, &l.Conflicts); err != nil {
			return nil, fmt.Errorf("read loaded_days: %w", err)
		}
		l.Day = l.Day.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// RejectCount is how many blobs were rejected for a reason on a day.
type RejectCount struct {
	Day    time.Time
	Reason string
	N      int64
}

// RejectsByDay counts rejected blobs per day and reason, in order.
func RejectsByDay(ctx context.Context, db *sql.DB) ([]RejectCount, error) {
	rows, err := db.QueryContext(ctx, `SELECT day, reason, count(*) FROM rejects GROUP BY day, reason ORDER BY day, reason`)
	if err != nil {
		return nil, fmt.Errorf("read rejects: %w", err)
	}
	defer rows.Close()
	var out []RejectCount
	for rows.Next() {
		var c RejectCount
		if err := rows.Scan(&c.Day, &c.Reason, &c.N); err != nil {
			return nil, fmt.Errorf("read rejects: %w", err)
		}
		c.Day = c.Day.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// Span is the range of loaded days and the days missing inside it.
type Span struct {
	First, Last time.Time // zero when nothing is loaded
	Days        int64
	Missing     []time.Time
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
	missing, err := queryDays(ctx, db, `SELECT d::DATE FROM range(DATE '`+sp.First.Format(time.DateOnly)+`', DATE '`+
		sp.Last.Format(time.DateOnly)+`' + 1, INTERVAL 1 DAY) r(d) WHERE d::DATE NOT IN (SELECT day FROM loaded_days) ORDER BY 1`)
	if err != nil {
		return sp, fmt.Errorf("read loaded_days: %w", err)
	}
	sp.Missing = missing
	return sp, nil
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
	rows, err := db.QueryContext(ctx, `SELECT reason, count(*), max(day) FROM rejects GROUP BY reason ORDER BY 2 DESC, 1`)
	if err != nil {
		return nil, fmt.Errorf("read rejects: %w", err)
	}
	defer rows.Close()
	var out []ReasonTotal
	for rows.Next() {
		var r ReasonTotal
		if err := rows.Scan(&r.Reason, &r.N, &r.Last); err != nil {
			return nil, fmt.Errorf("read rejects: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
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
	rows, err := db.QueryContext(ctx, `SELECT kpi, version, title, computed_to, last_compute_ms, last_compute_days
		FROM kpis ORDER BY kpi, version`)
	if err != nil {
		return nil, fmt.Errorf("read kpis: %w", err)
	}
	defer rows.Close()
	var out []KPIVersion
	for rows.Next() {
		var v KPIVersion
		if err := rows.Scan(&v.KPI, &v.Version, &v.Title, &v.ComputedTo, &v.LastComputeMs, &v.LastComputeDays); err != nil {
			return nil, fmt.Errorf("read kpis: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
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

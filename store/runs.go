package store

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	"github.com/persona-kpi/kpi/internal/redact"
	"github.com/persona-kpi/kpi/persona"
)

// Run statuses.
const (
	StatusRunning   = "running"
	StatusSuccess   = "success"
	StatusFailed    = "failed"
	StatusAbandoned = "abandoned" // its process ended without recording an end
)

// RunSummary is what a run did, recorded when it ends.
type RunSummary struct {
	From, To      time.Time // the days it covered; zero keeps the start's range
	Counts        persona.Counts
	DaysProcessed int // days transformed and loaded
	DaysUnchanged int // days fetched again and found unchanged
}

// StartRun records the start of a run and returns its id. Zero days are
// stored as NULL (a range not known yet).
func (d *DB) StartRun(ctx context.Context, command, source string, from, to time.Time) (int64, error) {
	var id int64
	err := d.QueryRowContext(ctx, `INSERT INTO runs (command, started_at, status, source, from_day, to_day, pid)
		VALUES (?, now(), ?, ?, ?, ?, ?) RETURNING id`,
		command, StatusRunning, redact.URLs(source), nullDay(from), nullDay(to), os.Getpid()).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	return id, nil
}

// RecordProgress records what a run has done so far, before it ends, so
// that a report written as its last step can show it.
func (d *DB) RecordProgress(ctx context.Context, id int64, sum RunSummary) error {
	c := sum.Counts
	_, err := d.ExecContext(ctx, `UPDATE runs SET
		from_day = coalesce(?::DATE, from_day), to_day = coalesce(?::DATE, to_day),
		fetched = ?, loaded = ?, server_events = ?, duplicates = ?, rejected = ?, conflicts = ?,
		days_processed = ?, days_unchanged = ? WHERE id = ?`,
		nullDay(sum.From), nullDay(sum.To), c.Fetched, c.Loaded, c.ServerEvents, c.Duplicates, c.Rejected, c.Conflicts,
		sum.DaysProcessed, sum.DaysUnchanged, id)
	if err != nil {
		return fmt.Errorf("record run %d: %w", id, err)
	}
	return nil
}

// FinishRun records a run's end, what it did and its outcome.
func (d *DB) FinishRun(ctx context.Context, id int64, sum RunSummary, runErr error) error {
	status, msg := StatusSuccess, sql.NullString{}
	if runErr != nil {
		status, msg = StatusFailed, sql.NullString{String: redact.URLs(runErr.Error()), Valid: true}
	}
	// A cancelled run still gets its record.
	ctx = context.WithoutCancel(ctx)
	if err := d.RecordProgress(ctx, id, sum); err != nil {
		return err
	}
	if _, err := d.ExecContext(ctx, `UPDATE runs SET ended_at = now(), status = ?, error = ? WHERE id = ?`, status, msg, id); err != nil {
		return fmt.Errorf("record end of run %d: %w", id, err)
	}
	return nil
}

func nullDay(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}

// abandonStaleRuns closes the records of runs whose process died (killed,
// crashed, power lost). Only the lock holder calls it, so no run recorded
// as running can still be alive.
func (d *DB) abandonStaleRuns(ctx context.Context) error {
	// Days a killed run committed stay loaded (each in its own
	// transaction); the next run computes what they lack (computed_days).
	_, err := d.ExecContext(ctx, `UPDATE runs SET status = ?, ended_at = now(),
		error = CASE WHEN EXISTS (SELECT 1 FROM loaded_days l WHERE l.run_id = runs.id)
			THEN 'the process ended before the run finished (killed or crashed); the days it loaded stay loaded, and the next run computes any of their KPIs it did not'
			ELSE 'the process ended before the run finished (killed or crashed); it had loaded no day, so every day was left as it was before it'
		END
		WHERE status = ?`, StatusAbandoned, StatusRunning)
	if err != nil {
		return fmt.Errorf("runs: %w", err)
	}
	return nil
}

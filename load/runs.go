package load

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Run statuses.
const (
	StatusRunning = "running"
	StatusSuccess = "success"
	StatusFailed  = "failed"
)

// StartRun records the start of a run and returns its id. Zero days are
// stored as NULL (a range not known yet).
func (d *DB) StartRun(ctx context.Context, command, source string, from, to time.Time) (int64, error) {
	var id int64
	err := d.QueryRowContext(ctx, `INSERT INTO runs (command, started_at, status, source, from_day, to_day)
		VALUES (?, now(), ?, ?, ?, ?) RETURNING id`,
		command, StatusRunning, source, nullDay(from), nullDay(to)).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record run: %w", err)
	}
	return id, nil
}

// FinishRun records a run's end, its counts and its outcome.
func (d *DB) FinishRun(ctx context.Context, id int64, from, to time.Time, c Counts, runErr error) error {
	status, msg := StatusSuccess, sql.NullString{}
	if runErr != nil {
		status, msg = StatusFailed, sql.NullString{String: runErr.Error(), Valid: true}
	}
	// A cancelled run still gets its record.
	ctx = context.WithoutCancel(ctx)
	_, err := d.ExecContext(ctx, `UPDATE runs SET ended_at = now(), status = ?, error = ?,
		from_day = coalesce(?::DATE, from_day), to_day = coalesce(?::DATE, to_day),
		fetched = ?, loaded = ?, duplicates = ?, rejected = ? WHERE id = ?`,
		status, msg, nullDay(from), nullDay(to), c.Fetched, c.Loaded, c.Duplicates, c.Rejected, id)
	if err != nil {
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

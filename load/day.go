package load

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/transform"
)

// sqlString quotes s as a SQL string literal. Table functions such as
// read_parquet take no bound parameters, and paths may hold quotes.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// LoadDay replaces one day's sessions, events and rejects with the Parquet
// that transform wrote for it, in one transaction together with the day's
// entry in loaded_days: a reader sees the old day or the new one, never a
// mix, and loading a day again gives the same tables.
// inputHash identifies what the day was built from (see InputHash).
func (d *DB) LoadDay(ctx context.Context, runID int64, parquetDir string, day time.Time, inputHash string) (persona.Counts, error) {
	ds := day.Format(time.DateOnly)
	stats, err := transform.ReadStats(parquetDir, day)
	if err != nil {
		return persona.Counts{}, fmt.Errorf("load day %s: %w (run `kpi transform` for it first)", ds, err)
	}
	c := stats.Counts
	if err := c.Check(); err != nil {
		return c, fmt.Errorf("load day %s: stats do not add up: %w", ds, err)
	}
	tx, err := d.BeginTx(ctx, nil)
	if err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	defer tx.Rollback()

	tables := []struct {
		name, path string
		want       int64
	}{
		{"sessions", transform.SessionsPath(parquetDir, day), stats.Loaded},
		{"events", transform.EventsPath(parquetDir, day), -1},
		{"rejects", transform.RejectsPath(parquetDir, day), stats.Rejected},
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.name+" WHERE day = ?", ds); err != nil {
			return c, fmt.Errorf("load day %s: clear %s: %w", ds, t.name, err)
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO "+t.name+" SELECT * FROM read_parquet("+sqlString(t.path)+")")
		if err != nil {
			return c, fmt.Errorf("load day %s: %s from %s: %w", ds, t.name, t.path, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return c, fmt.Errorf("load day %s: %s: %w", ds, t.name, err)
		}
		if t.want >= 0 && n != t.want {
			return c, fmt.Errorf("load day %s: %s holds %d rows but its stats say %d: transform the day again", ds, t.path, n, t.want)
		}
	}
	// The day's profiles, for the data health page.
	if err := writeProfiles(ctx, tx, ds); err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO loaded_days
		(day, run_id, loaded_at, fetched, loaded, duplicates, rejected, input_hash) VALUES (?, ?, now(), ?, ?, ?, ?, ?)`,
		ds, runID, c.Fetched, c.Loaded, c.Duplicates, c.Rejected, inputHash); err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("load day %s: commit: %w", ds, err)
	}
	return c, nil
}

// InputHash is what a loaded day was built from, as given to LoadDay; ""
// for a day never loaded.
func (d *DB) InputHash(ctx context.Context, day time.Time) (string, error) {
	var h sql.NullString
	err := d.QueryRowContext(ctx, `SELECT input_hash FROM loaded_days WHERE day = ?`, day.Format(time.DateOnly)).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("loaded days: %w", err)
	}
	return h.String, nil
}

// LastLoadedDay is the latest day loaded; ok is false on an empty database.
func (d *DB) LastLoadedDay(ctx context.Context) (day time.Time, ok bool, err error) {
	var last sql.NullTime
	if err := d.QueryRowContext(ctx, `SELECT max(day) FROM loaded_days`).Scan(&last); err != nil {
		return time.Time{}, false, fmt.Errorf("loaded days: %w", err)
	}
	return last.Time, last.Valid, nil
}

package load

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/store"
	"github.com/persona-kpi/kpi/transform"
)

// sqlString quotes s as a SQL string literal. Table functions such as
// read_parquet take no bound parameters, and paths may hold quotes.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// Day replaces one day's sessions, events and rejects in the store with
// the Parquet that transform staged for it, in one transaction together
// with the day's profiles and its entry in loaded_days: a reader sees the
// old day or the new one, never a mix, and loading a day again gives the
// same tables. inputHash identifies what the day was built from (see
// store.DB.InputHash).
func Day(ctx context.Context, d *store.DB, runID int64, staging transform.Staging, day time.Time, inputHash string) (persona.Counts, error) {
	ds := day.Format(time.DateOnly)
	stats, err := staging.ReadStats(day)
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
		{"sessions", staging.SessionsPath(day), stats.Loaded},
		{"events", staging.EventsPath(day), -1},
		{"rejects", staging.RejectsPath(day), stats.Rejected},
		{"server_events", staging.ServerEventsPath(day), stats.ServerEvents},
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t.name+" WHERE day = ?", ds); err != nil {
			return c, fmt.Errorf("load day %s: clear %s: %w", ds, t.name, err)
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO "+t.name+" BY NAME SELECT * FROM read_parquet("+sqlString(t.path)+")")
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
	if err := store.WriteProfiles(ctx, tx, day); err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO loaded_days
		(day, run_id, loaded_at, fetched, loaded, server_events, duplicates, rejected, input_hash) VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?)`,
		ds, runID, c.Fetched, c.Loaded, c.ServerEvents, c.Duplicates, c.Rejected, inputHash); err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("load day %s: commit: %w", ds, err)
	}
	return c, nil
}

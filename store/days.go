package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// InputHash is what a loaded day was built from, as given to load.Day; ""
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

// dayTables are the tables holding a day's data and what is derived
// from it, as load and compute write them.
var dayTables = []string{"sessions", "events", "rejects", "server_events",
	"day_event_names", "day_other_values", "day_server_types", "day_sample_rates",
	"kpi_results", "computed_days", "loaded_days"}

// EmptyDay removes everything the store holds of a day, in one
// transaction: a backfill over a range makes a day its source no longer
// holds empty, as a fresh run over the range would leave it.
func (d *DB) EmptyDay(ctx context.Context, day time.Time) error {
	ds := day.Format(time.DateOnly)
	return inTx(ctx, d.DB, func(tx *sql.Tx) error {
		for _, t := range dayTables {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE day = ?::DATE", ds); err != nil {
				return fmt.Errorf("empty day %s: %s: %w", ds, t, err)
			}
		}
		return nil
	})
}

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

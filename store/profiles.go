package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// WriteProfiles replaces a day's profiles (day_event_names and
// day_other_values, see migrations/0004_profiles.sql) with those of its
// sessions and events, in the caller's transaction.
func WriteProfiles(ctx context.Context, tx *sql.Tx, day time.Time) error {
	ds := day.Format(time.DateOnly)
	for _, p := range []struct{ table, of string }{{"day_event_names", "event_names_of"}, {"day_other_values", "other_values_of"}} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+p.table+" WHERE day = ?", ds); err != nil {
			return fmt.Errorf("clear %s: %w", p.table, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+p.table+" SELECT * FROM "+p.of+"(?::DATE, ?::DATE)", ds, ds); err != nil {
			return fmt.Errorf("%s: %w", p.table, err)
		}
	}
	return nil
}

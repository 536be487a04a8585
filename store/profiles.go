package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// profiles are the day profiles (see migrations/0004_profiles.sql) and
// the queries that compute them for the days ?..?.
var profiles = []struct{ table, query string }{
	{"day_event_names", "SELECT * FROM event_names_of(?::DATE, ?::DATE)"},
	{"day_other_values", otherValuesOf},
}

// otherValuesOf is migration 0004's macro other_values_of, one SELECT per
// segmentation, built from persona.Segmentations so that a segmentation is
// added in one place; the macro stays, unused, in the migration's history.
var otherValuesOf = func() string {
	var q strings.Builder
	q.WriteString("WITH days AS (SELECT * FROM sessions WHERE day BETWEEN ?::DATE AND ?::DATE),\nother AS (")
	for i, s := range persona.Segmentations {
		if i > 0 {
			q.WriteString("\nUNION ALL ")
		}
		fmt.Fprintf(&q, "SELECT day, '%s' AS segmentation, CAST(%s AS VARCHAR) AS raw FROM days WHERE %s = '%s'",
			s.Name, s.RawColumn, s.Column, persona.Other)
	}
	q.WriteString(")\nSELECT day, segmentation, raw, count(*) AS sessions FROM other GROUP BY day, segmentation, raw")
	return q.String()
}()

// WriteProfiles replaces a day's profiles (day_event_names and
// day_other_values) with those of its sessions and events, in the
// caller's transaction.
func WriteProfiles(ctx context.Context, tx *sql.Tx, day time.Time) error {
	ds := day.Format(time.DateOnly)
	for _, p := range profiles {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+p.table+" WHERE day = ?", ds); err != nil {
			return fmt.Errorf("clear %s: %w", p.table, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+p.table+" SELECT * FROM ("+p.query+")", ds, ds); err != nil {
			return fmt.Errorf("%s: %w", p.table, err)
		}
	}
	return nil
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// profile is a day profile table and the query that computes it for the
// days ?..?.
type profile struct{ table, query string }

// eventProfiles are the profiles of migrations/0004_profiles.sql, which
// data migration 0007 fills for days loaded before them.
var eventProfiles = []profile{
	{"day_event_names", "SELECT * FROM event_names_of(?::DATE, ?::DATE)"},
	{"day_other_values", otherValuesOf},
}

// profiles are every day profile (migrations 0004 and 0009).
var profiles = append(eventProfiles[:len(eventProfiles):len(eventProfiles)], []profile{
	{"day_server_types", `SELECT day, type, count(*) AS events FROM server_events
		WHERE day BETWEEN ?::DATE AND ?::DATE GROUP BY day, type`},
	{"day_sample_rates", `SELECT day, seg_os AS os, sample_rate, count(*) AS sessions FROM sessions
		WHERE day BETWEEN ?::DATE AND ?::DATE GROUP BY day, seg_os, sample_rate`},
}...)

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

// WriteProfiles replaces a day's profiles (day_event_names,
// day_other_values, day_server_types, day_sample_rates) with those of its
// sessions, events and census entries, in the caller's transaction.
func WriteProfiles(ctx context.Context, tx *sql.Tx, day time.Time) error {
	return writeProfiles(ctx, tx, day, profiles)
}

func writeProfiles(ctx context.Context, tx *sql.Tx, day time.Time, profiles []profile) error {
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

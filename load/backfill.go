package load

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/persona"
)

// fillEventLists completes, one day at a time, what migration 0004 added
// for days loaded before it: each session's events list and the day's
// profiles. A day is done in one transaction, so an interrupted fill goes
// on where it stopped the next time the database is opened. The days to
// do are in event_lists_pending (none once done, and no table in a
// database older than migration 0004, as in tests), so that opening a
// database does not scan its sessions.
func fillEventLists(ctx context.Context, db *sql.DB) error {
	var has int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_name = 'event_lists_pending'`).Scan(&has); err != nil || has == 0 {
		return err
	}
	days, err := queryDays(ctx, db, `SELECT day FROM event_lists_pending ORDER BY day`)
	if err != nil {
		return fmt.Errorf("event lists: %w", err)
	}
	for _, d := range days {
		ds := d.Format(time.DateOnly)
		if err := inTx(ctx, db, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `UPDATE sessions SET events = coalesce(f.events, [])
				FROM (
					SELECT s.id, l.events FROM sessions s
					LEFT JOIN (
						SELECT session_id, list(name ORDER BY seq) AS events FROM (
							SELECT session_id, name, seq,
							       row_number() OVER (PARTITION BY session_id, name ORDER BY seq) AS nth
							FROM events WHERE day = ?::DATE)
						WHERE nth = 1 GROUP BY session_id) l ON l.session_id = s.id
					WHERE s.day = ?::DATE AND s.events IS NULL) f
				WHERE sessions.day = ?::DATE AND sessions.id = f.id`, ds, ds, ds); err != nil {
				return err
			}
			if err := writeProfiles(ctx, tx, ds); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM event_lists_pending WHERE day = ?::DATE`, ds)
			return err
		}); err != nil {
			return fmt.Errorf("event lists of %s: %w", ds, err)
		}
	}
	return nil
}

// profiles are the day profiles (see 0004_profiles.sql) and the queries
// that compute them for the days ?..?.
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

// writeProfiles replaces a day's profiles with those of its sessions and
// events.
func writeProfiles(ctx context.Context, tx *sql.Tx, ds string) error {
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

func queryDays(ctx context.Context, db *sql.DB, q string) ([]time.Time, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var days []time.Time
	for rows.Next() {
		var d time.Time
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		days = append(days, d.UTC())
	}
	return days, rows.Err()
}

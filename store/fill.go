package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// fillEventLists is data migration 0007: it completes, one day at a
// time, what migration 0004 added for days loaded before it (each
// session's events list and the day's profiles), then drops the list of
// days to do (event_lists_pending). A day is done in one transaction, and
// the migration is recorded only once all are, so an interrupted fill
// goes on where it stopped the next time the store is opened for writing;
// a store migrated past it never looks at its sessions again.
func fillEventLists(ctx context.Context, db *sql.DB) error {
	var has int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_name = 'event_lists_pending'`).Scan(&has); err != nil || has == 0 {
		return err // dropped already, by a fill interrupted just before its record
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
			if err := writeProfiles(ctx, tx, d, eventProfiles); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `DELETE FROM event_lists_pending WHERE day = ?::DATE`, ds)
			return err
		}); err != nil {
			return fmt.Errorf("event lists of %s: %w", ds, err)
		}
	}
	_, err = db.ExecContext(ctx, `DROP TABLE event_lists_pending`)
	return err
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

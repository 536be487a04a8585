package load

import (
	"context"
	"database/sql"
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
	if err := oneCopyPerID(ctx, tx, day, &c); err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	// The day's profiles, for the data health page.
	if err := store.WriteProfiles(ctx, tx, day); err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO loaded_days
		(day, run_id, loaded_at, fetched, loaded, server_events, duplicates, rejected, conflicts, input_hash)
		VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?, ?)`,
		ds, runID, c.Fetched, c.Loaded, c.ServerEvents, c.Duplicates, c.Rejected, c.Conflicts, inputHash); err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	if err := tx.Commit(); err != nil {
		return c, fmt.Errorf("load day %s: commit: %w", ds, err)
	}
	return c, nil
}

// idTables are the tables whose rows are blobs with a row id, each with
// the count it fills, and the rows of other tables that hang on them.
var idTables = []struct {
	table, count string
	children     []string // tables holding the blob's rows, by session_id
}{
	{"sessions", "loaded", []string{"events"}},
	{"server_events", "server_events", nil},
}

// oneCopyPerID keeps one copy of a row id across days: the copy on the
// earliest day, whatever order days are loaded in, so that loading a
// range gives the same tables in any order. A copy of the day being
// loaded is dropped if an earlier day holds the id; a later day's copy
// is dropped if this day holds it, and that day's counts move from its
// table's count to its duplicates (as conflicts: the same id with
// another timestamp is other content), its profiles are rewritten, and
// its load time is renewed so that its KPIs are computed again.
func oneCopyPerID(ctx context.Context, tx *sql.Tx, day time.Time, c *persona.Counts) error {
	ds := day.Format(time.DateOnly)
	later := map[time.Time]bool{}
	for _, t := range idTables {
		// This day's copies of ids an earlier day holds.
		n, err := dropCopies(ctx, tx, t.table, t.children, `SELECT d.id, d.day FROM `+t.table+` d
			WHERE d.day = ?::DATE AND EXISTS (SELECT 1 FROM `+t.table+` o WHERE o.id = d.id AND o.day < d.day)`, ds)
		if err != nil {
			return err
		}
		c.Duplicates += n
		c.Conflicts += n
		if t.count == "loaded" {
			c.Loaded -= n
		} else {
			c.ServerEvents -= n
		}
		// Later days' copies of this day's ids.
		rows, err := tx.QueryContext(ctx, `SELECT o.day, count(*) FROM `+t.table+` o
			WHERE o.day > ?::DATE AND o.id IN (SELECT id FROM `+t.table+` WHERE day = ?::DATE) GROUP BY o.day`, ds, ds)
		if err != nil {
			return fmt.Errorf("row ids: %w", err)
		}
		counts := map[time.Time]int64{}
		for rows.Next() {
			var d time.Time
			var k int64
			if err := rows.Scan(&d, &k); err != nil {
				rows.Close()
				return fmt.Errorf("row ids: %w", err)
			}
			counts[d.UTC()] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("row ids: %w", err)
		}
		for d, k := range counts {
			if _, err := dropCopies(ctx, tx, t.table, t.children, `SELECT o.id, o.day FROM `+t.table+` o
				WHERE o.day = ?::DATE AND o.id IN (SELECT id FROM `+t.table+` WHERE day = ?::DATE)`, d.Format(time.DateOnly), ds); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE loaded_days SET `+t.count+` = `+t.count+` - ?,
				duplicates = duplicates + ?, conflicts = conflicts + ?, loaded_at = now() WHERE day = ?::DATE`,
				k, k, k, d.Format(time.DateOnly)); err != nil {
				return fmt.Errorf("row ids: %w", err)
			}
			later[d] = true
		}
	}
	for d := range later {
		if err := store.WriteProfiles(ctx, tx, d); err != nil {
			return err
		}
	}
	return nil
}

// dropCopies deletes the rows of table (and their children) that query
// selects as (id, day), and returns how many.
func dropCopies(ctx context.Context, tx *sql.Tx, table string, children []string, query string, args ...any) (int64, error) {
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE kpi_drop AS `+query, args...); err != nil {
		return 0, fmt.Errorf("row ids: %w", err)
	}
	defer tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.kpi_drop`)
	for _, child := range children {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+child+` USING temp.kpi_drop k
			WHERE `+child+`.session_id = k.id AND `+child+`.day = k.day`); err != nil {
			return 0, fmt.Errorf("row ids: %s: %w", child, err)
		}
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM `+table+` USING temp.kpi_drop k
		WHERE `+table+`.id = k.id AND `+table+`.day = k.day`)
	if err != nil {
		return 0, fmt.Errorf("row ids: %s: %w", table, err)
	}
	return res.RowsAffected()
}

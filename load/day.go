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

// tables are the tables holding a day's rows, as transform names them.
var tables = []string{"sessions", "events", "event_lists", "rejects", "server_events"}

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
	in, err := Begin(ctx, d, day)
	if err != nil {
		return stats.Counts, err
	}
	defer in.Rollback()
	if err := in.insertParquet(ctx, staging, stats); err != nil {
		return stats.Counts, err
	}
	return in.Commit(ctx, runID, stats, inputHash)
}

// Ingest is one day being replaced in the store, in one transaction:
// Begin clears the day, Insert adds its rows as transform hands them
// over, Commit checks them against the day's counts and writes the day's
// profiles and loaded_days entry. Until Commit readers see the old day;
// Rollback (after any failure) leaves it as it was.
type Ingest struct {
	tx   *store.Tx
	day  time.Time
	rows map[string]int64 // inserted, by table
}

// Begin starts replacing day: its rows are deleted in a new transaction.
func Begin(ctx context.Context, d *store.DB, day time.Time) (*Ingest, error) {
	ds := day.Format(time.DateOnly)
	tx, err := d.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("load day %s: %w", ds, err)
	}
	for _, t := range tables {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+t+" WHERE day = ?", ds); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("load day %s: clear %s: %w", ds, t, err)
		}
	}
	return &Ingest{tx: tx, day: day, rows: map[string]int64{}}, nil
}

// Insert adds a part of the day's rows. It does not release the part.
func (in *Ingest) Insert(ctx context.Context, p transform.Part) error {
	for _, t := range p {
		n, err := in.tx.InsertArrow(ctx, t.Table, t.Records)
		if err != nil {
			return fmt.Errorf("load day %s: %w", in.day.Format(time.DateOnly), err)
		}
		in.rows[t.Table] += n
	}
	return nil
}

// Rollback abandons the day (nothing after Commit).
func (in *Ingest) Rollback() { in.tx.Rollback() }

// insertParquet inserts the day's Parquet staged in staging, checking
// each table's rows against st.
func (in *Ingest) insertParquet(ctx context.Context, staging transform.Staging, st transform.Stats) error {
	ds := in.day.Format(time.DateOnly)
	paths := map[string]string{"sessions": staging.SessionsPath(in.day), "events": staging.EventsPath(in.day),
		"event_lists": staging.EventListsPath(in.day), "rejects": staging.RejectsPath(in.day), "server_events": staging.ServerEventsPath(in.day)}
	for _, t := range tables {
		res, err := in.tx.ExecContext(ctx, "INSERT INTO "+t+" BY NAME SELECT * FROM read_parquet("+sqlString(paths[t])+")")
		if err != nil {
			return fmt.Errorf("load day %s: %s from %s: %w", ds, t, paths[t], err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("load day %s: %s: %w", ds, t, err)
		}
		if want := st.Rows(t); want >= 0 && n != want {
			return fmt.Errorf("load day %s: %s holds %d rows but its stats say %d: transform the day again", ds, paths[t], n, want)
		}
		in.rows[t] += n
	}
	return nil
}

// Commit checks the rows inserted against the day's counts (st, from
// transform), keeps one copy of each row id across days (see
// oneCopyPerID), writes the day's profiles (counted by transform when st
// has them and the day kept every row, else queried) and its loaded_days
// entry, and commits. It returns the day's counts after the cross-day
// dedupe.
func (in *Ingest) Commit(ctx context.Context, runID int64, st transform.Stats, inputHash string) (persona.Counts, error) {
	ds := in.day.Format(time.DateOnly)
	c := st.Counts
	if err := c.Check(); err != nil {
		return c, fmt.Errorf("load day %s: stats do not add up: %w", ds, err)
	}
	for _, t := range tables {
		if want := st.Rows(t); want >= 0 && in.rows[t] != want {
			return c, fmt.Errorf("load day %s: %d rows went into %s but the day counts %d", ds, in.rows[t], t, want)
		}
	}
	tx := in.tx.Tx
	dropped, err := oneCopyPerID(ctx, tx, in.day, &c)
	if err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	// The day's profiles, for the data health page. Counted ones describe
	// the rows transform wrote, so not a day that lost some since.
	if st.Profiles != nil && dropped == 0 {
		err = store.WriteCountedProfiles(ctx, in.tx, in.day, st.Profiles)
	} else {
		err = store.WriteProfiles(ctx, tx, in.day)
	}
	if err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO loaded_days
		(day, run_id, loaded_at, fetched, loaded, server_events, duplicates, rejected, conflicts, input_hash)
		VALUES (?, ?, now(), ?, ?, ?, ?, ?, ?, ?)`,
		ds, runID, c.Fetched, c.Loaded, c.ServerEvents, c.Duplicates, c.Rejected, c.Conflicts, inputHash); err != nil {
		return c, fmt.Errorf("load day %s: %w", ds, err)
	}
	if err := in.tx.Commit(); err != nil {
		return c, fmt.Errorf("load day %s: commit: %w", ds, err)
	}
	return c, nil
}

// idTables are the tables whose rows are blobs with a row id, each with
// the count it fills, and the rows of other tables that hang on them.
var idTables = []struct {
	table, count string
	children     []string // tables holding the blob's rows, by its day's session number
	hash         string   // a column of persona.IDHash(id), compared before the ids
}{
	{"sessions", "loaded", []string{"events"}, "id_hash"},
	{"server_events", "server_events", nil, ""},
}

// oneCopyPerID keeps one copy of a row id across days: the copy on the
// earliest day, whatever order days are loaded in, so that loading a
// range gives the same tables in any order. A copy of the day being
// loaded is dropped if an earlier day holds the id; a later day's copy
// is dropped if this day holds it, and that day's counts move from its
// table's count to its duplicates (as conflicts: the same id with
// another timestamp is other content), its profiles are rewritten, and
// its load time is renewed so that its KPIs are computed again. It
// returns how many of this day's rows it dropped.
//
// One query per table finds every other day's copy of this day's ids,
// hashing only this day's ids and probing the other days' (a join on the
// id with the days compared in the join hashed every day's ids, twice,
// each time a day loaded); usually it finds none and nothing else runs.
// For sessions a query of their ids' hashes (sessions.id_hash) comes
// first, and the ids are read only where two hashes meet: reading every
// earlier text id cost 0.3 s a night on 93 days of history.
// Dropping this day's own rows is costly: DuckDB 1.1 then appends the
// whole day again at commit instead of keeping the row groups it wrote
// while inserting (a day of 200,000 blobs with 100 such copies took about
// 3 CPU-s more; inserting the day again from its Parquet without them
// cost as much, so it is not done).
func oneCopyPerID(ctx context.Context, tx *sql.Tx, day time.Time, c *persona.Counts) (dropped int64, err error) {
	ds := day.Format(time.DateOnly)
	later := map[time.Time]bool{}
	defer tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.kpi_copies`)
	for _, t := range idTables {
		copies, err := findCopies(ctx, tx, t.table, t.hash, ds)
		if err != nil {
			return dropped, err
		}
		if copies == 0 {
			continue
		}
		// This day's copies of ids an earlier day holds.
		n, err := dropCopies(ctx, tx, t.table, t.children, `SELECT DISTINCT id, ?::DATE AS day FROM temp.kpi_copies WHERE day < ?::DATE`, ds, ds)
		if err != nil {
			return dropped, err
		}
		dropped += n
		c.Duplicates += n
		c.Conflicts += n
		if t.count == "loaded" {
			c.Loaded -= n
		} else {
			c.ServerEvents -= n
		}
		// Later days' copies of the ids this day keeps.
		const laterCopies = `FROM temp.kpi_copies WHERE day > ?::DATE AND id NOT IN (SELECT id FROM temp.kpi_copies WHERE day < ?::DATE)`
		rows, err := tx.QueryContext(ctx, `SELECT day, count(*) `+laterCopies+` GROUP BY day`, ds, ds)
		if err != nil {
			return dropped, fmt.Errorf("row ids: %w", err)
		}
		counts := map[time.Time]int64{}
		for rows.Next() {
			var d time.Time
			var k int64
			if err := rows.Scan(&d, &k); err != nil {
				rows.Close()
				return dropped, fmt.Errorf("row ids: %w", err)
			}
			counts[d.UTC()] = k
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dropped, fmt.Errorf("row ids: %w", err)
		}
		if len(counts) == 0 {
			continue
		}
		if _, err := dropCopies(ctx, tx, t.table, t.children, `SELECT id, day `+laterCopies, ds, ds); err != nil {
			return dropped, err
		}
		for d, k := range counts {
			if _, err := tx.ExecContext(ctx, `UPDATE loaded_days SET `+t.count+` = `+t.count+` - ?,
				duplicates = duplicates + ?, conflicts = conflicts + ?, loaded_at = now() WHERE day = ?::DATE`,
				k, k, k, d.Format(time.DateOnly)); err != nil {
				return dropped, fmt.Errorf("row ids: %w", err)
			}
			later[d] = true
		}
	}
	for d := range later {
		if err := store.WriteProfiles(ctx, tx, d); err != nil {
			return dropped, err
		}
	}
	return dropped, nil
}

// findCopies fills temp.kpi_copies with the other days' rows of table
// holding one of day's ids, and returns how many. With a hash column it
// first compares the ids' hashes (a column of integers, not every earlier
// day's text ids), and reads no id when none meet: the usual answer.
func findCopies(ctx context.Context, tx *sql.Tx, table, hash, day string) (int64, error) {
	var n int64
	if hash != "" {
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+table+` WHERE day <> ?::DATE AND `+hash+
			` IN (SELECT `+hash+` FROM `+table+` WHERE day = ?::DATE)`, day, day).Scan(&n); err != nil || n == 0 {
			return 0, wrapRowIDs(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE kpi_copies AS
		SELECT id, day FROM `+table+` WHERE day <> ?::DATE AND id IN (SELECT id FROM `+table+` WHERE day = ?::DATE)`, day, day); err != nil {
		return 0, wrapRowIDs(err)
	}
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM temp.kpi_copies`).Scan(&n)
	return n, wrapRowIDs(err)
}

// wrapRowIDs names the dedupe in an error (nil stays nil).
func wrapRowIDs(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("row ids: %w", err)
}

// dropCopies deletes the rows of table (and their children) that query
// selects as (id, day), and returns how many.
func dropCopies(ctx context.Context, tx *sql.Tx, table string, children []string, query string, args ...any) (int64, error) {
	if _, err := tx.ExecContext(ctx, `CREATE OR REPLACE TEMP TABLE kpi_drop AS `+query, args...); err != nil {
		return 0, fmt.Errorf("row ids: %w", err)
	}
	defer tx.ExecContext(ctx, `DROP TABLE IF EXISTS temp.kpi_drop`)
	for _, child := range children {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+child+` USING (
				SELECT s.day, s.session FROM `+table+` s JOIN temp.kpi_drop k ON s.id = k.id AND s.day = k.day) d
			WHERE `+child+`.session = d.session AND `+child+`.day = d.day`); err != nil {
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

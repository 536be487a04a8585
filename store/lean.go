package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/marcboeker/go-duckdb"

	"github.com/persona-kpi/kpi/persona"
)

// leanKeys is data migration 0014, the lean keys: a blob's events name it
// by its number within its day (sessions.session, events.session) instead
// of repeating its 32-character id, and its distinct event names are a
// number into the day's event_lists (sessions.event_list) instead of a
// list of names on every session. As text they were 40% of what DuckDB
// did to load a day. Sessions also keep their id's hash (id_hash), which
// the cross-day dedupe compares instead of the ids.
//
// The tables are rebuilt beside the old ones one day at a time, each day
// in one transaction (one statement over a long history does not fit the
// writer's memory limit), then swapped in in one transaction. The days
// still to do are the table lean_keys_pending, so an interrupted
// migration goes on where it stopped the next time the store is opened
// for writing; it is recorded only once the swap is done.
func leanKeys(ctx context.Context, db *sql.DB) error {
	done, err := hasColumn(ctx, db, "sessions", "event_list")
	if err != nil || done {
		return err // swapped already, by a migration interrupted just before its record
	}
	started, err := hasTable(ctx, db, "lean_keys_pending")
	if err != nil {
		return err
	}
	if !started {
		if err := execInTx(ctx, db, []string{createLeanTables, `CREATE TABLE lean_keys_pending AS
			SELECT day FROM sessions UNION SELECT day FROM events`}); err != nil {
			return fmt.Errorf("lean keys: %w", err)
		}
	}
	days, err := queryDays(ctx, db, `SELECT day FROM lean_keys_pending ORDER BY day`)
	if err != nil {
		return fmt.Errorf("lean keys: %w", err)
	}
	if err := rebuildDays(ctx, db, days); err != nil {
		return err
	}
	if err := execInTx(ctx, db, leanSwap); err != nil {
		return fmt.Errorf("lean keys: %w", err)
	}
	return nil
}

// execInTx runs stmts, each with args, in one transaction.
func execInTx(ctx context.Context, db beginner, stmts []string, args ...any) error {
	return inTx(ctx, db, func(tx *sql.Tx) error {
		for _, q := range stmts {
			if _, err := tx.ExecContext(ctx, q, args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// rebuildDays rebuilds days, each in one transaction, on one connection
// where kpi_id_hash(id) is persona.IDHash.
func rebuildDays(ctx context.Context, db *sql.DB, days []time.Time) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("lean keys: %w", err)
	}
	defer conn.Close()
	if err := duckdb.RegisterScalarUDF(conn, "kpi_id_hash", &idHashUDF{}); err != nil {
		return fmt.Errorf("lean keys: %w", err)
	}
	for _, d := range days {
		ds := d.Format(time.DateOnly)
		if err := execInTx(ctx, conn, leanDay, ds); err != nil {
			return fmt.Errorf("lean keys of %s: %w", ds, err)
		}
	}
	return nil
}

// idHashUDF is persona.IDHash as a DuckDB function, for the ids stored
// before sessions kept their hash.
type idHashUDF struct{}

func (*idHashUDF) Config() duckdb.ScalarFuncConfig {
	text, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	hash, _ := duckdb.NewTypeInfo(duckdb.TYPE_UBIGINT)
	return duckdb.ScalarFuncConfig{InputTypeInfos: []duckdb.TypeInfo{text}, ResultTypeInfo: hash}
}

func (*idHashUDF) Executor() duckdb.ScalarFuncExecutor {
	return duckdb.ScalarFuncExecutor{RowExecutor: func(v []driver.Value) (any, error) {
		id, ok := v[0].(string)
		if !ok {
			return nil, fmt.Errorf("kpi_id_hash: %T is not text", v[0])
		}
		return persona.IDHash(id), nil
	}}
}

// createLeanTables are the new tables, under temporary names until the
// swap; their columns are in the order transform writes them.
const createLeanTables = `
CREATE TABLE event_lists (
    day        DATE      NOT NULL,
    event_list INTEGER   NOT NULL, -- sessions.event_list
    events     VARCHAR[] NOT NULL  -- distinct event names, in order of first appearance
);
CREATE TABLE lean_sessions (
    id                      VARCHAR   NOT NULL,
    day                     DATE      NOT NULL,
    ts                      TIMESTAMP NOT NULL,
    sample_rate             DOUBLE,
    lang                    VARCHAR,
    screen_width            INTEGER,
    screen_height           INTEGER,
    os                      VARCHAR,
    browser                 VARCHAR,
    browser_version         VARCHAR,
    number_emails           INTEGER,
    number_sites_signed_in  INTEGER   NOT NULL,
    number_sites_remembered INTEGER,
    new_account             BOOLEAN,
    email_type              VARCHAR,
    rp_api                  VARCHAR,
    orphaned                BOOLEAN,
    event_count             INTEGER   NOT NULL,
    duration_ms             BIGINT    NOT NULL,
    seg_os                  VARCHAR   NOT NULL,
    seg_browser             VARCHAR   NOT NULL,
    seg_screen              VARCHAR   NOT NULL,
    seg_emails              VARCHAR   NOT NULL,
    seg_locale              VARCHAR   NOT NULL,
    seg_api                 VARCHAR   NOT NULL,
    seg_email_type          VARCHAR   NOT NULL,
    source                  VARCHAR   NOT NULL,
    session                 INTEGER   NOT NULL, -- the blob's number within its day, which its events carry
    event_list              INTEGER   NOT NULL, -- its distinct event names: event_lists of its day
    id_hash                 UBIGINT   NOT NULL  -- persona.IDHash(id), which the cross-day dedupe compares
);
CREATE TABLE lean_events (
    day          DATE    NOT NULL,
    session      INTEGER NOT NULL, -- sessions.session of the same day
    seq          INTEGER NOT NULL, -- position in the event stream, from 0
    name         VARCHAR NOT NULL,
    offset_ms    BIGINT  NOT NULL, -- ms since the dialog opened
    delta_ms     BIGINT  NOT NULL, -- ms since the previous event in the stream (offset_ms for the first)
    duration_ms  BIGINT,           -- an XHR event's duration
    repeat_count INTEGER           -- how many XHR answers a folded event stands for
)`

// leanDay rebuilds one day (the day is the one parameter), then takes
// it off the days to do.
var leanDay = []string{leanEventLists, leanSessions, leanEvents, `DELETE FROM lean_keys_pending WHERE day = $1::DATE`}

// One day of the rebuild: its lists numbered in order of first use, its
// sessions numbered in table order, as transform numbers them, and its
// events with their session's number.
const (
	leanEventLists = `INSERT INTO event_lists
		SELECT day, row_number() OVER (ORDER BY first) - 1, events
		FROM (SELECT day, events, min(rowid) AS first FROM sessions WHERE day = $1::DATE GROUP BY day, events)`
	leanSessions = `INSERT INTO lean_sessions
		SELECT s.* EXCLUDE (events, r), row_number() OVER (ORDER BY s.r) - 1, l.event_list, kpi_id_hash(s.id)
		FROM (SELECT *, rowid AS r FROM sessions WHERE day = $1::DATE) s
		JOIN event_lists l ON l.day = s.day AND l.events = s.events
		ORDER BY s.r`
	leanEvents = `INSERT INTO lean_events
		SELECT e.day, s.session, e.seq, e.name, e.offset_ms, e.delta_ms, e.duration_ms, e.repeat_count
		FROM events e JOIN lean_sessions s ON s.id = e.session_id AND s.day = e.day
		WHERE e.day = $1::DATE AND s.day = $1::DATE
		ORDER BY s.session, e.seq`
)

// leanSwap puts the rebuilt tables in place, and the health page's event
// profile over the lists.
var leanSwap = []string{
	`DROP TABLE events`,
	`DROP TABLE sessions`,
	`ALTER TABLE lean_events RENAME TO events`,
	`ALTER TABLE lean_sessions RENAME TO sessions`,
	`DROP TABLE lean_keys_pending`,
	// rejects.raw, uncompressed: DuckDB 1.1 rewrites a table's last row
	// group whenever rows are added to it, and a night's rejects land in
	// the one holding the last hundred days' (122,880 rows a group, about
	// 1,300 rejects a day). Compressing their 65 MB of text again each
	// night took about as long as the rest of the night's checkpoint.
	`CREATE TABLE lean_rejects (
    day      DATE    NOT NULL, -- the partition it belongs to: its own day if known, else its window's
    blob_day DATE,             -- its own day, when its timestamp could be read
    id       VARCHAR,          -- row id, when there was one
    source   VARCHAR NOT NULL,
    reason   VARCHAR NOT NULL, -- reason code, see README
    detail   VARCHAR NOT NULL, -- one line saying what was wrong
    raw      VARCHAR USING COMPRESSION uncompressed NOT NULL -- the element's text as received, addresses masked
)`,
	`INSERT INTO lean_rejects SELECT * FROM rejects ORDER BY rowid`,
	`DROP TABLE rejects`,
	`ALTER TABLE lean_rejects RENAME TO rejects`,
	`CREATE OR REPLACE MACRO event_names_of(from_day, to_day) AS TABLE
    WITH counted AS (
        SELECT day, name, count(*) AS events FROM events
        WHERE day BETWEEN from_day AND to_day GROUP BY day, name
    ), sessions_with AS (
        SELECT s.day, l.name, count(*) AS sessions
        FROM (SELECT day, event_list FROM sessions WHERE day BETWEEN from_day AND to_day) s
        JOIN (SELECT day, event_list, unnest(events) AS name FROM event_lists WHERE day BETWEEN from_day AND to_day) l
            USING (day, event_list)
        GROUP BY s.day, l.name
    )
    SELECT c.day, c.name, c.events, coalesce(s.sessions, 0) AS sessions
    FROM counted c LEFT JOIN sessions_with s USING (day, name)`,
}

func hasTable(ctx context.Context, db *sql.DB, table string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'main' AND table_name = ?`, table).Scan(&n)
	return n > 0, err
}

func hasColumn(ctx context.Context, db *sql.DB, table, column string) (bool, error) {
	var n int
	err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.columns
		WHERE table_schema = 'main' AND table_name = ? AND column_name = ?`, table, column).Scan(&n)
	return n > 0, err
}

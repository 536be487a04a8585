package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/marcboeker/go-duckdb"
)

// Tx is a transaction of the writer that can also take rows as Arrow
// records and through DuckDB's appender, both of which need the driver's
// connection: it holds the writer's one connection from Begin to Commit
// or Rollback.
type Tx struct {
	*sql.Tx
	conn    *sql.Conn
	done    bool
	oneCore bool // DuckDB was found on one thread
}

// Begin starts a transaction on the writer's connection.
func (d *DB) Begin(ctx context.Context) (*Tx, error) {
	conn, err := d.Conn(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &Tx{Tx: tx, conn: conn}, nil
}

// Commit commits the transaction and gives the connection back.
func (t *Tx) Commit() error {
	err := t.Tx.Commit()
	t.release()
	return err
}

// Rollback rolls the transaction back and gives the connection back; it
// does nothing once the transaction ended.
func (t *Tx) Rollback() error {
	if t.done {
		return nil
	}
	err := t.Tx.Rollback()
	t.release()
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

func (t *Tx) release() {
	if !t.done {
		t.done = true
		t.conn.Close()
	}
}

// raw runs f on the driver's connection.
func (t *Tx) raw(f func(driver.Conn) error) error {
	return driverConn(t.conn, f)
}

// driverConn runs f on conn's DuckDB driver connection.
func driverConn(conn *sql.Conn, f func(driver.Conn) error) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("not a driver connection: %T", dc)
		}
		return f(c)
	})
}

// InsertArrow inserts records, all of one schema, into table, binding
// columns by name, and returns the rows inserted. It does not take the
// records: the caller still releases them. After an error the
// transaction must be rolled back.
//
// DuckDB must work on one thread (SetThreads): with two, DuckDB 1.1.2
// inserts each record as a batch of its own and merges the batches, and
// several such inserts in one transaction crashed it at commit ("Failed
// to commit: Attempted to dereference shared_ptr that is NULL", or heap
// corruption) in every 5-day run of 1M blobs in parts of 16,384.
func (t *Tx) InsertArrow(ctx context.Context, table string, recs []arrow.Record) (int64, error) {
	if len(recs) == 0 {
		return 0, nil
	}
	if !t.oneCore {
		var threads int64
		if err := t.QueryRowContext(ctx, `SELECT current_setting('threads')`).Scan(&threads); err != nil {
			return 0, fmt.Errorf("%s: threads: %w", table, err)
		}
		if threads != 1 {
			return 0, fmt.Errorf("%s: Arrow records are inserted with DuckDB on one thread, not %d (store.DB.SetThreads)", table, threads)
		}
		t.oneCore = true
	}
	rd := newRecords(recs)
	defer rd.drop()
	view := "kpi_arrow_" + table
	var release func()
	err := t.raw(func(c driver.Conn) error {
		a, err := duckdb.NewArrowFromConn(c)
		if err != nil {
			return err
		}
		release, err = a.RegisterView(rd, view)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%s: arrow view: %w", table, err)
	}
	// The view points at the stream that release frees: it is dropped
	// first, or by the rollback that follows a failure, and never read
	// again in between.
	defer release()
	// Every column, in the records' order: a view over a record reader
	// returned wrong columns when a query read only some of them
	// (duckdb#17012), since the reader ignores the projection.
	fields := recs[0].Schema().Fields()
	cols := make([]string, len(fields))
	for i, f := range fields {
		cols[i] = `"` + strings.ReplaceAll(f.Name, `"`, `""`) + `"`
	}
	res, err := t.ExecContext(ctx, "INSERT INTO "+table+" BY NAME SELECT "+strings.Join(cols, ", ")+" FROM "+view)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", table, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", table, err)
	}
	if _, err := t.ExecContext(ctx, "DROP VIEW "+view); err != nil {
		return 0, fmt.Errorf("%s: %w", table, err)
	}
	return n, nil
}

// records is a record reader that lets go of each record once DuckDB has
// read it, and of all of them when dropped: DuckDB 1.1.2 never releases
// the exported stream, which keeps the reader (and a cgo handle, some
// hundred bytes a view in all) for the life of the process, so the
// reader must hold nothing by then.
type records struct {
	schema *arrow.Schema
	mu     sync.Mutex
	recs   []arrow.Record
	cur    arrow.Record
}

func newRecords(recs []arrow.Record) *records {
	r := &records{schema: recs[0].Schema(), recs: make([]arrow.Record, len(recs))}
	for i, rec := range recs {
		rec.Retain()
		r.recs[i] = rec
	}
	return r
}

func (r *records) Schema() *arrow.Schema { return r.schema }
func (r *records) Err() error            { return nil }
func (r *records) Retain()               {}
func (r *records) Release()              { r.drop() }

func (r *records) Record() arrow.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cur
}

func (r *records) Next() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if len(r.recs) == 0 {
		return false
	}
	r.cur, r.recs[0], r.recs = r.recs[0], nil, r.recs[1:]
	return true
}

// drop releases every record still held; the reader is then empty.
func (r *records) drop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	for _, rec := range r.recs {
		rec.Release()
	}
	r.recs = nil
}

// appendRows appends rows to table through DuckDB's appender, in the
// transaction.
func (t *Tx) appendRows(table string, rows [][]driver.Value) error {
	if len(rows) == 0 {
		return nil
	}
	if err := AppendRows(t.conn, table, rows); err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	return nil
}

// AppendRows appends rows to table (of the main or the temp schema)
// through DuckDB's appender on conn, in the transaction open on it if
// any: much faster than an INSERT a row.
func AppendRows(conn *sql.Conn, table string, rows [][]driver.Value) error {
	return driverConn(conn, func(c driver.Conn) error {
		a, err := duckdb.NewAppenderFromConn(c, "", table)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := a.AppendRow(r...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
}

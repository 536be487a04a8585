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
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/arrow/memory/mallocator"
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
	rd := newRecords(recs, cMemory)
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

// records is a record reader that hands DuckDB each record as a copy in
// C memory, lets go of it once DuckDB has read it, and of all of them
// when dropped: DuckDB 1.1.2 never releases the exported stream, which
// keeps the reader (and a cgo handle, some hundred bytes a view in all)
// for the life of the process, so the reader must hold nothing by then.
//
// The copy is what keeps Go memory out of C's (the cgo rules): arrow/go
// exports a record by writing the addresses of its buffers into C
// memory, which is freed once DuckDB has read the batch and then reused
// uninitialized: go-duckdb's appender mallocs its array of column types
// and fills it through pointer-typed slots, and during a collection the
// write barrier reads the stale address left there. That stopped a
// 3M-blob run in compute with "fatal error: found bad pointer in Go
// heap"; a build with GOEXPERIMENT=cgocheck2 reports every such export
// ("unpinned Go pointer stored into non-Go memory"), and make test runs
// this package's tests so built. One record (at most 8,192 rows, see
// transform) is copied at a time; on 1M blobs the copies cost about
// 0.6-1.0 CPU-s (docs/performance.md, Memory).
type records struct {
	schema *arrow.Schema
	mem    memory.Allocator // C memory, for the copies
	mu     sync.Mutex
	recs   []arrow.Record
	cur    arrow.Record
}

// cMemory allocates the copies handed to DuckDB.
var cMemory memory.Allocator = mallocator.NewMallocator()

func newRecords(recs []arrow.Record, mem memory.Allocator) *records {
	r := &records{schema: recs[0].Schema(), mem: mem, recs: make([]arrow.Record, len(recs))}
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
	rec := r.recs[0]
	r.recs[0], r.recs = nil, r.recs[1:]
	r.cur = copyRecord(r.mem, rec)
	rec.Release()
	return true
}

// copyRecord copies rec's buffers, its columns' children's and
// dictionaries' into memory from mem.
func copyRecord(mem memory.Allocator, rec arrow.Record) arrow.Record {
	cols := make([]arrow.Array, rec.NumCols())
	for i, c := range rec.Columns() {
		d := copyData(mem, c.Data())
		cols[i] = array.MakeFromData(d)
		d.Release()
	}
	out := array.NewRecord(rec.Schema(), cols, rec.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return out
}

func copyData(mem memory.Allocator, d arrow.ArrayData) arrow.ArrayData {
	bufs := make([]*memory.Buffer, len(d.Buffers()))
	for i, b := range d.Buffers() {
		if b == nil {
			continue
		}
		bufs[i] = memory.NewResizableBuffer(mem)
		bufs[i].Resize(b.Len())
		copy(bufs[i].Bytes(), b.Bytes())
	}
	children := make([]arrow.ArrayData, len(d.Children()))
	for i, c := range d.Children() {
		children[i] = copyData(mem, c)
	}
	var out *array.Data
	if dict, ok := d.Dictionary().(*array.Data); ok && dict != nil { // a dictionary array has no children
		values := copyData(mem, dict)
		out = array.NewDataWithDictionary(d.DataType(), d.Len(), bufs, d.NullN(), d.Offset(), values.(*array.Data))
		values.Release()
	} else {
		out = array.NewData(d.DataType(), d.Len(), bufs, children, d.NullN(), d.Offset())
	}
	for _, b := range bufs {
		if b != nil {
			b.Release()
		}
	}
	for _, c := range children {
		c.Release()
	}
	return out
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

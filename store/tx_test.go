package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/arrow/memory/mallocator"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestInsertArrowBindsByNameWithinTheTransaction inserts records whose
// columns are in another order than the table's, in several records:
// every column lands in its own, the rows exist only once committed, and
// no record is held afterwards.
func TestInsertArrowBindsByNameWithinTheTransaction(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "a.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE t (a VARCHAR, b INTEGER, c VARCHAR[], d DATE)`)
	require.NoError(t, err)

	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "d", Type: arrow.FixedWidthTypes.Date32},
		{Name: "c", Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String)},
		{Name: "b", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "a", Type: arrow.BinaryTypes.String},
	}, nil)
	var recs []arrow.Record
	for r := range 3 {
		b := array.NewRecordBuilder(mem, sc)
		for i := range 1000 {
			b.Field(0).(*array.Date32Builder).Append(arrow.Date32(15000 + i))
			lb := b.Field(1).(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.StringBuilder).Append("x")
			if i%7 == 0 {
				b.Field(2).AppendNull()
			} else {
				b.Field(2).(*array.Int32Builder).Append(int32(r*1000 + i))
			}
			b.Field(3).(*array.StringBuilder).Append("row")
		}
		recs = append(recs, b.NewRecord())
		b.Release()
	}

	tx, err := db.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.InsertArrow(ctx, "t", recs)
	assert.ErrorContains(t, err, "t: Arrow records are inserted with DuckDB on one thread")
	require.NoError(t, tx.Rollback())
	restore, err := db.SetThreads(ctx, 1)
	require.NoError(t, err)
	defer restore()

	count := func() (n int64) {
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM t`).Scan(&n))
		return n
	}
	tx, err = db.Begin(ctx)
	require.NoError(t, err)
	n, err := tx.InsertArrow(ctx, "t", recs)
	require.NoError(t, err)
	assert.Equal(t, int64(3000), n)
	require.NoError(t, tx.Rollback())
	assert.Zero(t, count(), "rolled back")

	tx, err = db.Begin(ctx)
	require.NoError(t, err)
	_, err = tx.InsertArrow(ctx, "t", recs)
	require.NoError(t, err)
	_, err = tx.InsertArrow(ctx, "t", recs[:1]) // the view is made again for the next part
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	require.NoError(t, tx.Rollback(), "nothing to roll back after a commit")
	assert.Equal(t, int64(4000), count())
	var a string
	var b, nulls int64
	var c []any
	var d string
	require.NoError(t, db.QueryRow(`SELECT a, b, c, strftime(d, '%Y-%m-%d') FROM t WHERE b = 1001`).Scan(&a, &b, &c, &d))
	assert.Equal(t, "row", a)
	assert.Equal(t, []any{"x"}, c)
	assert.Equal(t, "2011-01-27", d) // day 15001 since 1970
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM t WHERE b IS NULL`).Scan(&nulls))
	assert.Equal(t, int64(4*143), nulls)

	for _, r := range recs {
		r.Release()
	}
	mem.AssertSize(t, 0)
}

// countingAllocator counts what an allocator hands out and what is live.
type countingAllocator struct {
	memory.Allocator
	allocated, live atomic.Int64
}

func (c *countingAllocator) Allocate(n int) []byte {
	c.allocated.Add(int64(n))
	c.live.Add(int64(n))
	return c.Allocator.Allocate(n)
}

func (c *countingAllocator) Reallocate(n int, b []byte) []byte {
	c.allocated.Add(int64(n - len(b)))
	c.live.Add(int64(n - len(b)))
	return c.Allocator.Reallocate(n, b)
}

func (c *countingAllocator) Free(b []byte) {
	c.live.Add(-int64(len(b)))
	c.Allocator.Free(b)
}

// TestInsertArrowHandsDuckDBCopiesInCMemory inserts records built in Go
// memory, one of them a slice (its columns start at an offset) and one
// with a dictionary column: DuckDB is handed copies from the C
// allocator, which are all freed once it has read them, and gets the same
// values as the records hold.
func TestInsertArrowHandsDuckDBCopiesInCMemory(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "c.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`CREATE TABLE t (k INTEGER, n INTEGER, s VARCHAR, l VARCHAR[], d VARCHAR)`)
	require.NoError(t, err)
	restore, err := db.SetThreads(ctx, 1)
	require.NoError(t, err)
	defer restore()

	c := &countingAllocator{Allocator: mallocator.NewMallocator()}
	previous := cMemory
	cMemory = c
	defer func() { cMemory = previous }()

	goMem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	dictType := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "k", Type: arrow.PrimitiveTypes.Int32},
		{Name: "n", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "l", Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String)},
		{Name: "d", Type: dictType},
	}, nil)
	b := array.NewRecordBuilder(goMem, sc)
	for i := range 3000 {
		b.Field(0).(*array.Int32Builder).Append(int32(i))
		if i%5 == 0 {
			b.Field(1).AppendNull()
			b.Field(2).AppendNull()
		} else {
			b.Field(1).(*array.Int32Builder).Append(int32(i))
			b.Field(2).(*array.StringBuilder).Append(fmt.Sprintf("value %d", i))
		}
		lb := b.Field(3).(*array.ListBuilder)
		lb.Append(true)
		for k := range i % 4 {
			lb.ValueBuilder().(*array.StringBuilder).Append(fmt.Sprintf("e%d.%d", i, k))
		}
		require.NoError(t, b.Field(4).(*array.BinaryDictionaryBuilder).AppendString(fmt.Sprintf("d%d", i%3)))
	}
	whole := b.NewRecord()
	b.Release()
	slice := whole.NewSlice(1001, 2500)
	recs := []arrow.Record{whole, slice}

	tx, err := db.Begin(ctx)
	require.NoError(t, err)
	n, err := tx.InsertArrow(ctx, "t", recs)
	require.NoError(t, err)
	require.NoError(t, tx.Commit())
	assert.Equal(t, int64(3000+1499), n)
	assert.Positive(t, c.allocated.Load(), "DuckDB was handed copies from the C allocator")
	assert.Zero(t, c.live.Load(), "every copy is freed once DuckDB has read it")

	// Each row of the slice came in again, with the values of the whole.
	var rows, mismatches, twice int64
	require.NoError(t, db.QueryRow(`
		WITH expected AS (
			SELECT i, CASE WHEN i % 5 <> 0 THEN i END AS n, CASE WHEN i % 5 <> 0 THEN 'value ' || i END AS s,
				[printf('e%d.%d', i, k) FOR k IN range(i % 4)] AS l, 'd' || (i % 3) AS d
			FROM range(3000) r(i))
		SELECT count(*),
			count(*) FILTER (WHERE t.n IS DISTINCT FROM e.n OR t.s IS DISTINCT FROM e.s OR t.l IS DISTINCT FROM e.l OR t.d IS DISTINCT FROM e.d),
			count(*) FILTER (WHERE e.i BETWEEN 1001 AND 2499)
		FROM t JOIN expected e ON t.k = e.i`).Scan(&rows, &mismatches, &twice))
	assert.Equal(t, n, rows)
	assert.Zero(t, mismatches)
	assert.Equal(t, int64(2*1499), twice)

	for _, r := range recs {
		r.Release()
	}
	goMem.AssertSize(t, 0)
}

// TestSettingsAreUndoneByRestore: each setting holds until its restore,
// which puts back what the writer had; a value DuckDB refuses is an error
// that names it.
func TestSettingsAreUndoneByRestore(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "s.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	current := func(name string) (s string) {
		require.NoError(t, db.QueryRow(`SELECT current_setting('`+name+`')::VARCHAR`).Scan(&s))
		return s
	}
	for _, c := range []struct {
		name, want string
		set        func() (func(), error)
	}{
		{"threads", "1", func() (func(), error) { return db.SetThreads(ctx, 1) }},
		{"memory_limit", "95.3 MiB", func() (func(), error) { return db.SetMemoryLimit(ctx, "100MB") }}, // DuckDB prints 100MB in its own units
	} {
		before := current(c.name)
		restore, err := c.set()
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, current(c.name), c.name)
		restore()
		assert.Equal(t, before, current(c.name), c.name)
	}
	_, err = db.SetMemoryLimit(ctx, "lots")
	assert.ErrorContains(t, err, "memory limit lots")
}

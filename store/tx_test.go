package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
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

func TestSetThreadsIsUndoneByRestore(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	threads := func() (n int64) {
		require.NoError(t, db.QueryRow(`SELECT current_setting('threads')`).Scan(&n))
		return n
	}
	before := threads()
	restore, err := db.SetThreads(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, int64(1), threads())
	restore()
	assert.Equal(t, before, threads())
}

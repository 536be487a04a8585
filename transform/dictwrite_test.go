package transform

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeLangs writes sessions whose lang is each of langs ("" for NULL)
// through a sink of row groups of groupRows rows and records of
// recordRows, every other column empty, and returns the file.
func writeLangs(t *testing.T, langs []string, groupRows, recordRows int) string {
	t.Helper()
	dir := t.TempDir()
	s, err := newSink(filepath.Join(dir, "sessions", "day=x", "part-0.parquet"), dir, sessionsSchema, groupRows, memory.NewGoAllocator())
	require.NoError(t, err)
	s.recordRows = recordRows
	lang := builder[*arrayStr](s, "lang")
	for _, l := range langs {
		for i, f := range s.b.Fields() {
			switch {
			case sessionsSchema.Field(i).Name == "lang" && l == "":
				lang.AppendNull()
			case sessionsSchema.Field(i).Name == "lang":
				lang.Append(l)
			default:
				f.AppendEmptyValue()
			}
		}
		s.added(len(l))
	}
	require.NoError(t, s.finish())
	s.release()
	return s.tmp
}

// readLangs reads the file's lang column in file order ("" for NULL)
// and the encodings of each of its row groups' lang chunk.
func readLangs(t *testing.T, db *sql.DB, file string) (langs []string, encodings []string) {
	t.Helper()
	rows, err := db.Query(`SELECT coalesce(lang, '') FROM read_parquet(?)`, file)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var l string
		require.NoError(t, rows.Scan(&l))
		langs = append(langs, l)
	}
	require.NoError(t, rows.Err())
	enc, err := db.Query(`SELECT encodings FROM parquet_metadata(?) WHERE path_in_schema = 'lang' ORDER BY row_group_id`, file)
	require.NoError(t, err)
	defer enc.Close()
	for enc.Next() {
		var e string
		require.NoError(t, enc.Scan(&e))
		encodings = append(encodings, e)
	}
	return langs, encodings
}

// TestDictionaryColumnsReadBackAsWritten: a dictionary column written as
// indices reads back value for value, in order, NULLs included, whether
// a value is new in its row group's first record, new in a later record
// of the row group (written as strings) or known; and every row group's
// chunk is dictionary-encoded.
func TestDictionaryColumnsReadBackAsWritten(t *testing.T) {
	db := openDB(t)
	var langs []string
	for i := range 250 {
		switch {
		case i%7 == 3:
			langs = append(langs, "") // NULL
		case i%50 == 17:
			langs = append(langs, fmt.Sprintf("new-%d", i)) // new in the middle of a row group
		default:
			langs = append(langs, []string{"en-US", "de", "fr", "<script>x</script>"}[i%4])
		}
	}
	file := writeLangs(t, langs, 100, 10)
	got, encodings := readLangs(t, db, file)
	assert.Equal(t, langs, got)
	require.Len(t, encodings, 3)
	for _, e := range encodings {
		assert.Contains(t, e, "RLE_DICTIONARY")
	}
	// source, required and one value throughout, goes as indices too: no
	// column's statistics may count fewer than no nulls.
	var negative int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM parquet_metadata(?) WHERE stats_null_count < 0`, file).Scan(&negative))
	assert.Zero(t, negative, "column chunks with a negative null count")
	var langStats int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM parquet_metadata(?) WHERE path_in_schema = 'lang' AND stats_null_count > 0`, file).Scan(&langStats))
	assert.Equal(t, 3, langStats, "a nullable column keeps its statistics")
}

// TestDictionaryColumnsPastTheirBoundAreStrings: a column with more
// distinct values than the numbering keeps is written as strings from
// there on, and still reads back as written.
func TestDictionaryColumnsPastTheirBoundAreStrings(t *testing.T) {
	defer func(n int) { maxDictValues = n }(maxDictValues)
	maxDictValues = 5
	db := openDB(t)
	var langs []string
	for i := range 120 {
		langs = append(langs, fmt.Sprintf("l%d", i%40))
	}
	got, _ := readLangs(t, db, writeLangs(t, langs, 50, 10))
	assert.Equal(t, langs, got)
}

// TestColumnDictNumbersWithinItsBounds: the numbering gives each value
// one index, NULLs stay NULL, and past maxDictBytes it gives up and
// keeps nothing.
func TestColumnDictNumbersWithinItsBounds(t *testing.T) {
	mem := memory.NewGoAllocator()
	col := func(vals ...string) *array.String {
		b := array.NewStringBuilder(mem)
		defer b.Release()
		for _, v := range vals {
			if v == "" {
				b.AppendNull()
			} else {
				b.Append(v)
			}
		}
		return b.NewStringArray()
	}
	d := &columnDict{index: map[string]int32{}}
	idx, top := d.number(mem, col("a", "b", "", "a"))
	require.NotNil(t, idx)
	assert.Equal(t, int32(1), top)
	assert.Equal(t, []int32{0, 1}, []int32{idx.Value(0), idx.Value(1)})
	assert.True(t, idx.IsNull(2))
	assert.Equal(t, int32(0), idx.Value(3))

	defer func(n int) { maxDictBytes = n }(maxDictBytes)
	maxDictBytes = 4
	idx, _ = d.number(mem, col("c", "dddd"))
	assert.Nil(t, idx, "past the bound")
	assert.True(t, d.full)
	idx, _ = d.number(mem, col("a"))
	assert.Nil(t, idx, "stays given up")
}

// TestEncodeHandsOverIndicesWhileTheDictionaryHolds: a row group's first
// record and each later one whose values its dictionary holds go to the
// writer as dictionary arrays sharing that one dictionary; a record with
// a value new in the row group goes as strings; the next row group's
// dictionary holds it.
func TestEncodeHandsOverIndicesWhileTheDictionaryHolds(t *testing.T) {
	mem := memory.NewGoAllocator()
	dicts := newColumnDicts(eventsSchema)
	require.Len(t, dicts, 1, "name is events' one string dictionary column")
	name := dicts[0].col
	encoded := func(names []string, first bool) (arrow.Array, func()) {
		rec := namesRecord(mem, names...)
		out, made := encode(mem, dicts, rec, first)
		return out.Column(name), func() {
			for _, a := range made {
				a.Release()
			}
			rec.Release()
		}
	}
	first, done1 := encoded([]string{"a", "b", "a"}, true)
	defer done1()
	d1, ok := first.(*array.Dictionary)
	require.True(t, ok, "the row group's first record: indices")
	known, done2 := encoded([]string{"b", "b"}, false)
	defer done2()
	d2, ok := known.(*array.Dictionary)
	require.True(t, ok, "known values: indices")
	assert.Same(t, d1.Dictionary().Data(), d2.Dictionary().Data(), "one dictionary for the row group")
	fresh, done3 := encoded([]string{"a", "c"}, false)
	defer done3()
	assert.IsType(t, &array.String{}, fresh, "a value new in the row group: strings")
	next, done4 := encoded([]string{"c"}, true)
	defer done4()
	d4, ok := next.(*array.Dictionary)
	require.True(t, ok)
	assert.Equal(t, 3, d4.Dictionary().Len(), "the next row group's dictionary holds a, b and c")
}

// TestIndexedRecordSlicesItsColumns: were the writer to slice a record
// handed over with indices, the slice keeps the indices.
func TestIndexedRecordSlicesItsColumns(t *testing.T) {
	mem := memory.NewGoAllocator()
	dicts := newColumnDicts(eventsSchema)
	rec := namesRecord(mem, "a", "b", "c", "a")
	defer rec.Release()
	out, made := encode(mem, dicts, rec, true)
	defer func() {
		for _, a := range made {
			a.Release()
		}
	}()
	part := out.NewSlice(1, 3)
	defer part.Release()
	assert.Equal(t, int64(2), part.NumRows())
	names, ok := part.Column(dicts[0].col).(*array.Dictionary)
	require.True(t, ok)
	dict := names.Dictionary().(*array.String)
	assert.Equal(t, []string{"b", "c"}, []string{dict.Value(names.GetValueIndex(0)), dict.Value(names.GetValueIndex(1))})
}

// namesRecord is a record of events with these names, every other column
// empty.
func namesRecord(mem memory.Allocator, names ...string) arrow.Record {
	b := array.NewRecordBuilder(mem, eventsSchema)
	defer b.Release()
	for _, n := range names {
		for i, f := range b.Fields() {
			if eventsSchema.Field(i).Name == "name" {
				f.(*array.StringBuilder).Append(n)
			} else {
				f.AppendEmptyValue()
			}
		}
	}
	return b.NewRecord()
}

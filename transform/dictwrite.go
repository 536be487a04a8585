package transform

import (
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// A string column written with a Parquet dictionary costs arrow/go v17's
// writer a hash of every value and an allocation for each (it boxes the
// bytes to look them up): about 1.3 CPU-s of the 1M-blob benchmark, for
// columns that hold a few dozen distinct values. Handed dictionary
// indices instead, the writer only encodes the indices. So the sink
// numbers each such column's values itself (a Go map lookup, which does
// not allocate) and writes a record's column as indices into the
// values known when its row group began. The writer keeps the dictionary
// it was first given in a row group and falls back to plain encoding if
// a later write brings another, so a record with a value new in its row
// group is written as strings, as before. The Parquet file holds the
// same values, dictionary-encoded; a row group's dictionary page may hold
// values of earlier row groups that it does not use, and the required
// ones of these columns have no statistics (see noStatsIndexed).

// Bounds of a column's numbering: past them the column is written as
// strings for the rest of the file, as every column was before, so an
// input with ever new values (event names come from users' browsers)
// costs no more memory than that. maxDictBytes is the writer's own
// dictionary page limit, past which it stops dictionary encoding anyway.
// (Variables for the tests.)
var (
	maxDictValues = 1 << 14
	maxDictBytes  = 1 << 20
)

// columnDict numbers the distinct values of one string column of a file.
type columnDict struct {
	col    int              // the column's index in the schema
	index  map[string]int32 // value → its number
	values []string         // by number
	bytes  int              // their length
	full   bool             // past the bounds: strings from now on
	// frozen is the current row group's dictionary: the values numbered
	// when it began. The writer compares each later dictionary with the
	// one it was first given, so every record of the row group is handed
	// this same one.
	frozen *array.String
}

// indexedColumns are the columns of sc written as indices: the
// top-level string columns dictColumns lists (not a date, not a list's
// element).
func indexedColumns(sc *arrow.Schema) []int {
	var out []int
	for _, name := range dictColumns[sc] {
		idx := sc.FieldIndices(name)
		if len(idx) == 1 && arrow.TypeEqual(sc.Field(idx[0]).Type, arrow.BinaryTypes.String) {
			out = append(out, idx[0])
		}
	}
	return out
}

// noStatsIndexed are the indexed columns written without statistics:
// arrow/go v17 counts the nulls of indices written to a required column
// as minus the values (it subtracts them from a count of definition
// levels such a column does not have), and a negative null count would
// mislead a reader. Their minimum and maximum never spared a read
// anyway: nearly every row group of a day holds the whole range of
// event names and of each segment.
func noStatsIndexed(sc *arrow.Schema) []string {
	var out []string
	for _, i := range indexedColumns(sc) {
		if !sc.Field(i).Nullable {
			out = append(out, sc.Field(i).Name)
		}
	}
	return out
}

// newColumnDicts makes a numbering for every indexed column of sc.
func newColumnDicts(sc *arrow.Schema) []*columnDict {
	var out []*columnDict
	for _, i := range indexedColumns(sc) {
		out = append(out, &columnDict{col: i, index: map[string]int32{}})
	}
	return out
}

// number returns the indices of a column's values (null where the value
// is), numbering new values, or nil once the column is past its bounds.
// maxIndex is the highest index used.
func (d *columnDict) number(mem memory.Allocator, col *array.String) (indices *array.Int32, maxIndex int32) {
	if d.full {
		return nil, 0
	}
	b := array.NewInt32Builder(mem)
	defer b.Release()
	b.Reserve(col.Len())
	maxIndex = -1
	last, lastN := "", int32(-1) // runs of one value (a day's source) skip the map
	for i := 0; i < col.Len(); i++ {
		if col.IsNull(i) {
			b.AppendNull()
			continue
		}
		v := col.Value(i)
		if lastN >= 0 && v == last {
			b.UnsafeAppend(lastN)
			continue
		}
		n, ok := d.index[v]
		if !ok {
			if len(d.values) >= maxDictValues || d.bytes+len(v) > maxDictBytes {
				d.full = true
				d.release()
				return nil, 0
			}
			v = strings.Clone(v) // the record's buffers are reused once written
			n = int32(len(d.values))
			d.index[v] = n
			d.values = append(d.values, v)
			d.bytes += len(v)
		}
		b.UnsafeAppend(n)
		maxIndex = max(maxIndex, n)
		last, lastN = v, n
	}
	return b.NewInt32Array(), maxIndex
}

// startGroup makes the dictionary of a new row group: every value
// numbered so far.
func (d *columnDict) startGroup(mem memory.Allocator) {
	if d.full || (d.frozen != nil && d.frozen.Len() == len(d.values)) {
		return
	}
	d.release()
	b := array.NewStringBuilder(mem)
	defer b.Release()
	b.AppendValues(d.values, nil)
	d.frozen = b.NewStringArray()
}

func (d *columnDict) release() {
	if d.frozen != nil {
		d.frozen.Release()
		d.frozen = nil
	}
}

// indexed is a record whose dictionary columns are handed to the writer
// as indices. pqarrow's WriteBuffered checks the record's schema and
// writes each column by the array's own type, so the schema stays the
// file's (strings) while a column is a dictionary array.
type indexed struct {
	arrow.Record
	cols []arrow.Array
}

func (r indexed) Column(i int) arrow.Array { return r.cols[i] }
func (r indexed) Columns() []arrow.Array   { return r.cols }

// NewSlice slices the columns as handed over. The sink never needs it
// (each write fits its row group); it is here so that the writer, were
// it to slice, would slice these columns.
func (r indexed) NewSlice(i, j int64) arrow.Record {
	cols := make([]arrow.Array, len(r.cols))
	for k, c := range r.cols {
		cols[k] = array.NewSlice(c, i, j)
	}
	return indexed{Record: r.Record.NewSlice(i, j), cols: cols}
}

// encode returns rec with each dictionary column that can be written as
// indices into its row group's dictionary replaced by a dictionary
// array, and the arrays to release once it is written. first says that
// rec begins a row group.
func encode(mem memory.Allocator, dicts []*columnDict, rec arrow.Record, first bool) (arrow.Record, []arrow.Array) {
	if len(dicts) == 0 {
		return rec, nil
	}
	cols := slices.Clone(rec.Columns())
	var made []arrow.Array
	for _, d := range dicts {
		col, ok := cols[d.col].(*array.String)
		if !ok {
			continue
		}
		indices, top := d.number(mem, col)
		if indices == nil {
			continue
		}
		if first {
			d.startGroup(mem)
		}
		if d.frozen == nil || int(top) >= d.frozen.Len() {
			indices.Release() // a value new in this row group: strings
			continue
		}
		dt := &arrow.DictionaryType{IndexType: arrow.PrimitiveTypes.Int32, ValueType: arrow.BinaryTypes.String}
		arr := array.NewDictionaryArray(dt, indices, d.frozen)
		indices.Release()
		cols[d.col] = arr
		made = append(made, arr)
	}
	if len(made) == 0 {
		return rec, nil
	}
	return indexed{Record: rec, cols: cols}, made
}

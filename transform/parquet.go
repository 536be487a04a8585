package transform

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/persona-kpi/kpi/persona"
)

// The Parquet schemas mirror the store's tables (store/migrations) column
// for column, under the same names (the load stage inserts BY NAME); NOT
// NULL columns are required fields.
var (
	tsType = &arrow.TimestampType{Unit: arrow.Microsecond} // no time zone: DuckDB TIMESTAMP

	sessionsSchema = arrow.NewSchema(slices.Concat([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ts", Type: tsType},
		{Name: "sample_rate", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "lang", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "screen_width", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "screen_height", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "os", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "browser", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "browser_version", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "number_emails", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "number_sites_signed_in", Type: arrow.PrimitiveTypes.Int32},
		{Name: "number_sites_remembered", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
		{Name: "new_account", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "email_type", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "rp_api", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "orphaned", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "event_count", Type: arrow.PrimitiveTypes.Int32},
		{Name: "duration_ms", Type: arrow.PrimitiveTypes.Int64},
	}, segmentFields(), []arrow.Field{
		{Name: "source", Type: arrow.BinaryTypes.String},
		// The blob's number within its day, which its events carry
		// instead of its id.
		{Name: "session", Type: arrow.PrimitiveTypes.Int32},
		// Its distinct event names, as the number of the day's
		// event_lists row holding them: what a KPI asks of a session is
		// mostly "did it show one of these events", answered once per
		// distinct list (a few hundred a day) instead of once per blob.
		{Name: "event_list", Type: arrow.PrimitiveTypes.Int32},
		// persona.IDHash(id), which the cross-day dedupe compares.
		{Name: "id_hash", Type: arrow.PrimitiveTypes.Uint64},
	}), nil)

	// eventListsSchema is a day's distinct lists of event names, each in
	// order of first appearance in the stream.
	eventListsSchema = arrow.NewSchema([]arrow.Field{
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "event_list", Type: arrow.PrimitiveTypes.Int32},
		{Name: "events", Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String)},
	}, nil)

	eventsSchema = arrow.NewSchema([]arrow.Field{
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "session", Type: arrow.PrimitiveTypes.Int32}, // sessions.session of the day
		{Name: "seq", Type: arrow.PrimitiveTypes.Int32},
		{Name: "name", Type: arrow.BinaryTypes.String},
		{Name: "offset_ms", Type: arrow.PrimitiveTypes.Int64},
		{Name: "delta_ms", Type: arrow.PrimitiveTypes.Int64},
		{Name: "duration_ms", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "repeat_count", Type: arrow.PrimitiveTypes.Int32, Nullable: true},
	}, nil)

	rejectsSchema = arrow.NewSchema([]arrow.Field{
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "blob_day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "id", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "source", Type: arrow.BinaryTypes.String},
		{Name: "reason", Type: arrow.BinaryTypes.String},
		{Name: "detail", Type: arrow.BinaryTypes.String},
		{Name: "raw", Type: arrow.BinaryTypes.String},
	}, nil)

	serverEventsSchema = arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.BinaryTypes.String},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32},
		{Name: "ts", Type: tsType},
		{Name: "type", Type: arrow.BinaryTypes.String},
		{Name: "os", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "browser", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "browser_version", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "idp", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "rp", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "source", Type: arrow.BinaryTypes.String},
	}, nil)
)

// segmentFields are the sessions' seg_* columns, one per segmentation.
func segmentFields() []arrow.Field {
	var fs []arrow.Field
	for _, c := range segmentColumns() {
		fs = append(fs, arrow.Field{Name: c, Type: arrow.BinaryTypes.String})
	}
	return fs
}

func segmentColumns() []string {
	var cs []string
	for _, s := range persona.Segmentations {
		cs = append(cs, s.Column)
	}
	return cs
}

// dictColumns are the low-cardinality columns, where a dictionary pays.
// Everything else is plain: ids, offsets and raw text are nearly unique
// and a dictionary would only grow until it is abandoned. ts qualifies
// because the dialog rounds it to 10 minutes (at most 144 values a day).
var dictColumns = map[*arrow.Schema][]string{
	sessionsSchema: slices.Concat([]string{"day", "ts", "lang", "os", "browser", "browser_version", "email_type", "rp_api"},
		segmentColumns(), []string{"source"}),
	eventListsSchema:   {"day", "events.list.element"},
	eventsSchema:       {"day", "name"},
	rejectsSchema:      {"day", "blob_day", "source", "reason"},
	serverEventsSchema: {"day", "ts", "type", "os", "browser", "browser_version", "idp", "rp", "source"},
}

// deltaColumns are integers that mostly grow by small steps within a
// session; delta encoding stores the steps, not the values.
var deltaColumns = map[*arrow.Schema][]string{
	sessionsSchema: {"session"},
	eventsSchema:   {"session", "seq", "offset_ms", "delta_ms"},
}

// noStatsColumns would put up to 4 KiB of arbitrary text per page into
// min/max statistics that no query filters on.
var noStatsColumns = map[*arrow.Schema][]string{
	rejectsSchema: {"detail", "raw"},
}

func writerProps(sc *arrow.Schema, mem memory.Allocator, groupRows int) *parquet.WriterProperties {
	opts := []parquet.WriterProperty{
		parquet.WithAllocator(mem),
		// zstd level 1: measured on a day of generated blobs, the same
		// files within 3% as the default level 3 for ~40% less CPU time,
		// and a third smaller than snappy for about the same time.
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithCompressionLevel(1),
		parquet.WithDictionaryDefault(false),
		parquet.WithCreatedBy("kpi transform"),
		parquet.WithMaxRowGroupLength(int64(groupRows)),
	}
	for _, c := range dictColumns[sc] {
		opts = append(opts, parquet.WithDictionaryFor(c, true))
	}
	for _, c := range deltaColumns[sc] {
		opts = append(opts, parquet.WithEncodingFor(c, parquet.Encodings.DeltaBinaryPacked))
	}
	for _, c := range slices.Concat(noStatsColumns[sc], noStatsIndexed(sc)) {
		opts = append(opts, parquet.WithStatsFor(c, false))
	}
	return parquet.NewWriterProperties(opts...)
}

// sink builds one table's rows into small Arrow records and writes them,
// on its own goroutine, into row groups of groupRows rows of a temporary
// Parquet file (a Parquet writer is single-threaded; compressing one
// table while the next rows are parsed is the available parallelism).
//
// Records are small so that the writer works while the parser does, not
// only after a whole row group was parsed, and so that little is held:
// a row group's encoded pages are buffered until it is complete, the
// rows themselves only a record at a time. Row groups, not records, set
// the file's layout: DuckDB inserts a Parquet row group of a multiple of
// its own row group size (122,880 rows) straight into its storage, and
// merges smaller ones first, twice as slowly.
type sink struct {
	path, tmp  string
	f          *os.File
	bw         *bufio.Writer
	fw         *pqarrow.FileWriter
	b          *array.RecordBuilder
	rows       int // in the record being built
	bytes      int // approximate size of its strings
	groupRows  int // rows per row group
	recordRows int // rows per record
	inGroup    int // rows sent to the current row group
	groupBytes int // their string bytes
	queue      chan record
	done       chan error
	failed     atomic.Pointer[error]
	closed     bool
	keep       bool           // keep each record for a part, too
	kept       []arrow.Record // records kept since the last take
	keptBytes  int            // their string bytes
	// What the writer goroutine alone touches: the numbering of the
	// dictionary columns (see dictwrite.go) and the rows written to the
	// current row group.
	mem       memory.Allocator
	dicts     []*columnDict
	groupUsed int
}

// record is a record to write, and whether it starts a row group.
type record struct {
	rec      arrow.Record
	newGroup bool
}

// maxBatchBytes ends a row group early when its strings are large
// (rejects keep the raw text of each element); maxRecordBytes does the
// same for a record.
const (
	maxBatchBytes  = 64 << 20
	maxRecordBytes = 4 << 20
)

// recordRows is the most rows a record holds.
const recordRows = 8192

// newSink writes the Parquet file that will be published at path into
// the directory tmp, named after path's table.
func newSink(path, tmp string, sc *arrow.Schema, groupRows int, mem memory.Allocator) (*sink, error) {
	f, err := os.Create(filepath.Join(tmp, filepath.Base(filepath.Dir(filepath.Dir(path)))+".parquet"))
	if err != nil {
		return nil, err
	}
	s := &sink{path: path, tmp: f.Name(), f: f, bw: bufio.NewWriterSize(f, 1<<20),
		groupRows: groupRows, recordRows: min(groupRows, recordRows), mem: mem, dicts: newColumnDicts(sc)}
	s.fw, err = pqarrow.NewFileWriter(sc, s.bw, writerProps(sc, mem, groupRows), pqarrow.DefaultWriterProps())
	if err != nil {
		s.abort()
		return nil, fmt.Errorf("parquet writer %s: %w", path, err)
	}
	s.b = array.NewRecordBuilder(mem, sc)
	// Each record's builders start with room for a whole record, rather
	// than doubling from nothing: on 1M blobs 0.3 s less of the fused
	// ingest (10.69 against 10.96 s, medians of three, alternating).
	s.b.Reserve(s.recordRows)
	s.queue = make(chan record, 2)
	s.done = make(chan error, 1)
	go s.write()
	return s, nil
}

func (s *sink) write() {
	var err error
	for r := range s.queue {
		if err == nil {
			if err = s.writeRecord(r); err != nil {
				s.failed.Store(&err)
			}
		}
		r.rec.Release() // keep draining after a failure so the producer never blocks
	}
	for _, d := range s.dicts {
		d.release()
	}
	s.done <- err
}

// writeRecord writes a record into the current row group, starting a
// new one when asked or when the current one holds groupRows rows, and
// splitting the record where a row group ends, so that each write is
// whole within a row group (the dictionary columns' indices refer to its
// dictionary).
func (s *sink) writeRecord(r record) error {
	if r.newGroup && s.groupUsed > 0 {
		s.groupUsed = s.groupRows
	}
	rows := r.rec.NumRows()
	for off := int64(0); off < rows; {
		if s.groupUsed == 0 || s.groupUsed == s.groupRows {
			s.fw.NewBufferedRowGroup()
			s.groupUsed = 0
		}
		n := min(rows-off, int64(s.groupRows-s.groupUsed))
		part := r.rec
		if n < rows {
			part = r.rec.NewSlice(off, off+n)
		}
		rec, made := encode(s.mem, s.dicts, part, s.groupUsed == 0)
		err := s.fw.WriteBuffered(rec)
		for _, a := range made {
			a.Release()
		}
		if n < rows {
			part.Release()
		}
		if err != nil {
			return err
		}
		s.groupUsed += int(n)
		off += n
	}
	return nil
}

// err reports a write failure early, so that a full disk stops the day
// at once rather than after parsing the rest of the input.
func (s *sink) err() error {
	if p := s.failed.Load(); p != nil {
		return fmt.Errorf("write %s: %w", s.path, *p)
	}
	return nil
}

// added records one appended row and sends a full record.
func (s *sink) added(strBytes int) {
	s.rows++
	s.bytes += strBytes
	if s.rows >= s.recordRows || s.bytes >= maxRecordBytes {
		s.flush()
	}
}

func (s *sink) flush() {
	if s.rows == 0 {
		return
	}
	// Row groups end every groupRows rows (the writer splits records at
	// that count), or earlier when their strings grow past maxBatchBytes.
	newGroup := false
	if s.inGroup > 0 && s.groupBytes+s.bytes > maxBatchBytes {
		newGroup = true
		s.inGroup, s.groupBytes = 0, 0
	}
	s.inGroup = (s.inGroup + s.rows) % s.groupRows
	s.groupBytes += s.bytes
	if s.inGroup == 0 {
		s.groupBytes = 0
	}
	rec := s.b.NewRecord()
	s.b.Reserve(s.recordRows)
	if s.keep {
		rec.Retain()
		s.kept = append(s.kept, rec)
		s.keptBytes += s.bytes
	}
	s.queue <- record{rec, newGroup}
	s.rows, s.bytes = 0, 0
}

// take returns the records kept since the last take; the caller owns
// them.
func (s *sink) take() []arrow.Record {
	recs := s.kept
	s.kept, s.keptBytes = nil, 0
	return recs
}

// finish writes the last batch and the footer and syncs the temporary
// file; it does not rename it.
func (s *sink) finish() error {
	s.flush()
	close(s.queue)
	s.closed = true
	err := <-s.done
	if cerr := s.fw.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.bw.Flush()
	}
	if err == nil {
		err = s.f.Sync()
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", s.path, err)
	}
	return nil
}

// abort stops the writer and removes the temporary file.
func (s *sink) abort() {
	if s.queue != nil && !s.closed {
		close(s.queue)
		s.closed = true
		<-s.done
	}
	if s.b != nil {
		s.b.Release()
		s.b = nil
	}
	for _, r := range s.take() {
		r.Release()
	}
	_ = s.f.Close()
	_ = os.Remove(s.tmp)
}

// release frees the builder after a successful finish.
func (s *sink) release() {
	if s.b != nil {
		s.b.Release()
		s.b = nil
	}
}

// Typed access to the builders' columns.
// builder returns the builder of the named column: columns are bound by
// name, so a column added to or moved in a schema cannot shift the
// others. A name the schema lacks is a programming error, caught by the
// first test that writes a day.
func builder[B array.Builder](s *sink, name string) B {
	idx := s.b.Schema().FieldIndices(name)
	if len(idx) != 1 {
		panic(fmt.Sprintf("transform: schema %v has no single column %q", s.b.Schema(), name))
	}
	return s.b.Field(idx[0]).(B)
}

// Short names for the builder types.
type (
	arrayStr  = array.StringBuilder
	arrayDate = array.Date32Builder
	arrayTS   = array.TimestampBuilder
	arrayF64  = array.Float64Builder
	arrayI32  = array.Int32Builder
	arrayI64  = array.Int64Builder
	arrayU64  = array.Uint64Builder
	arrayBool = array.BooleanBuilder
	arrayList = array.ListBuilder
)

package transform

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/zeebo/xxh3"

	"github.com/persona-kpi/kpi/blob"
	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/internal/durable"
	"github.com/persona-kpi/kpi/internal/redact"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/store"
)

// Input is one raw unit of a day.
type Input struct {
	// Name identifies the unit in messages, e.g.
	// "raw/day=2026-11-20/http-0000-2400.json.zst".
	Name string
	// Source is the credential-free source name stored in sessions.source
	// and rejects.source.
	Source string
	// Open returns the unit's raw text, already decompressed.
	Open func() (io.ReadCloser, error)
	// Lines says the unit holds one element per line (NDJSON), so its
	// layout is not sniffed.
	Lines bool
}

// Options says which day to build from which inputs, and where.
type Options struct {
	// Day is the UTC day being built; only its calendar date is used.
	// Every input belongs to it.
	Day    time.Time
	Inputs []Input
	// OutDir is the Parquet root, e.g. data/parquet.
	OutDir string
	// Config gives the segmentations and aliases.
	Config config.Config
	// Now is the clock: a blob dated after the end of its UTC day is
	// rejected (bad_timestamp). Nil is time.Now.
	Now func() time.Time
	// BatchRows is the number of sessions per Parquet row group; 0 means
	// DefaultBatchRows. Events row groups have eventsPerSession×BatchRows
	// rows. Rows reach the writers in smaller records (see sink).
	BatchRows int
	// Parts, when set, also receives the day's rows as Arrow records
	// while the day is built, in parts of at most PartBlobs elements (0
	// means DefaultPartBlobs), in order: what the fused ingest hands
	// straight to DuckDB. The Parquet is written all the same. Parts owns
	// each part it is given, whatever it returns; an error stops the day
	// as a failed input would.
	Parts     func(Part) error
	PartBlobs int
}

// DefaultPartBlobs is the most elements of a part when Options.PartBlobs
// is 0: parts of 16,384 elements hold about 25 MB of Arrow data.
const DefaultPartBlobs = 16384

// maxPartBytes ends a part early when its text grows past it (rejects
// keep each element's raw text, up to 64 MiB an element), so that a part
// holds at most that and one element more. A variable for tests.
var maxPartBytes = 64 << 20

// Part is a part of a day's rows, each table's records in the order they
// were built; tables without rows in the part are left out.
type Part []TableRecords

// TableRecords are records of one table (store/migrations), with its
// columns under their names.
type TableRecords struct {
	Table   string
	Records []arrow.Record
}

// Release releases every record of the part.
func (p Part) Release() {
	for _, t := range p {
		for _, r := range t.Records {
			r.Release()
		}
	}
}

// DefaultBatchRows is the row group size when Options.BatchRows is 0:
// DuckDB's own row group size, which lets the load stage insert each row
// group straight into DuckDB's storage (twice as fast as row groups of
// 65,536 sessions, which it merges first).
const DefaultBatchRows = 122880

// eventsPerSession sizes the events row groups: a generated session has
// about 6 events, so 4×BatchRows events hold about as many bytes as
// BatchRows sessions, and stay a multiple of DuckDB's row group size.
const eventsPerSession = 4

// Stats counts what became of a day's elements; its Counts always add up.
type Stats struct {
	Day time.Time
	persona.Counts
	// RejectedBy counts rejects by reason code (see Reasons).
	RejectedBy map[string]int64
	// Profiles are the day's profiles, counted from its rows; nil when
	// they were not counted (see maxProfileRows, and stats files of
	// earlier kpi versions).
	Profiles *store.Profiles
}

// Rows is how many rows the day has in table (as Tables names them), -1
// where the counts do not say (events).
func (s Stats) Rows(table string) int64 {
	switch table {
	case "sessions":
		return s.Loaded
	case "rejects":
		return s.Rejected
	case "server_events":
		return s.ServerEvents
	}
	return -1
}

func (s Stats) check() error {
	if err := s.Counts.Check(); err != nil {
		return fmt.Errorf("stats do not add up: %w", err)
	}
	var by int64
	for _, n := range s.RejectedBy {
		by += n
	}
	if by != s.Rejected {
		return fmt.Errorf("stats do not add up: rejects by reason sum to %d, rejected is %d", by, s.Rejected)
	}
	return nil
}

// TransformDay reads every element of the day's inputs, validates and
// normalizes it, and writes the day's sessions, events and rejects as
// Parquet plus the stats file. The day is published only when everything
// succeeded: files are written under temporary names in their
// directories and renamed into place at the end, so a failure leaves the
// previous files intact and a rerun replaces them. A day without
// elements still gets empty files, so that loading it empties the day.
func TransformDay(ctx context.Context, opt Options) (Stats, error) {
	day := persona.Day(opt.Day)
	st, err := transformDay(ctx, opt, day)
	if err != nil {
		// Counts of a day that was not written would only mislead.
		return Stats{Day: day}, fmt.Errorf("transform day %s: %w", day.Format(time.DateOnly), err)
	}
	return st, nil
}

func transformDay(ctx context.Context, opt Options, day time.Time) (Stats, error) {
	st := Stats{Day: day, RejectedBy: map[string]int64{}}
	if opt.OutDir == "" {
		return st, errors.New("no output directory")
	}
	seg, err := newSegmenter(opt.Config)
	if err != nil {
		return st, err
	}
	batch := opt.BatchRows
	if batch <= 0 {
		batch = DefaultBatchRows
	}

	w, err := newDayWriter(Staging{Dir: opt.OutDir}, day, batch, opt.Parts != nil)
	if err != nil {
		return st, err
	}
	published := false
	defer func() {
		if !published {
			w.abort()
		}
	}()

	t := &transformer{
		day:     day,
		date:    int32(arrow.Date32FromTime(day)),
		norm:    newNormalizer(day, seg, opt.Now),
		w:       w,
		st:      &st,
		seen:    make(map[uint64]uint64),
		context: ctx,
		parts:   opt.Parts,
		partOf:  int64(opt.PartBlobs),
	}
	if t.partOf <= 0 {
		t.partOf = DefaultPartBlobs
	}
	for _, in := range opt.Inputs {
		if err := t.input(in); err != nil {
			return st, err
		}
	}
	if err := st.check(); err != nil {
		return st, err
	}
	if err := t.handOver(); err != nil {
		return st, err
	}
	st.Profiles = w.prof.profiles()
	if err := w.finish(&st); err != nil {
		return st, err
	}
	published = true
	return st, nil
}

// transformer holds the state of one day's run.
type transformer struct {
	day  time.Time
	date int32 // day as days since 1970-01-01 (Arrow date32)
	norm *normalizer
	w    *dayWriter
	st   *Stats
	// seen holds the xxh3 hash of each row id seen today, 8 bytes an id
	// whatever its length, and that of the content kept under it, to tell
	// a plain re-delivery from a conflicting one. Two ids colliding in 64
	// bits would wrongly count one as a duplicate; at a million ids a day
	// the odds are about 3 in 100 million.
	seen    map[uint64]uint64
	context context.Context
	tape    blob.Tape // the current element's structure
	parts   func(Part) error
	partOf  int64 // elements per part
}

// handOver hands the rows built since the last part to Options.Parts.
func (t *transformer) handOver() error {
	if t.parts == nil {
		return nil
	}
	var p Part
	for i, s := range t.w.sinks() {
		s.flush()
		if recs := s.take(); len(recs) > 0 {
			p = append(p, TableRecords{Table: tables[i], Records: recs})
		}
	}
	if len(p) == 0 {
		return nil
	}
	if err := t.parts(p); err != nil {
		return fmt.Errorf("hand over rows: %w", err)
	}
	return nil
}

// checkEvery is how many elements pass between checks for cancellation
// and write failures.
const checkEvery = 1024

func (t *transformer) check() error {
	if err := t.context.Err(); err != nil {
		return err
	}
	return t.w.err()
}

func (t *transformer) input(in Input) error {
	if in.Open == nil {
		return fmt.Errorf("open %s: no Open function", in.Name)
	}
	if err := t.check(); err != nil {
		return err
	}
	rc, err := in.Open()
	if err != nil {
		return fmt.Errorf("open %s: %w", in.Name, err)
	}
	source := blob.ValidUTF8([]byte(in.Source))
	newElements := blob.NewElements
	if in.Lines {
		newElements = blob.NewLineElements
	}
	ra := newReadAhead(rc)
	els := newElements(ra)
	for els.Next() {
		if els.Index()%checkEvery == 0 {
			if err := t.check(); err != nil {
				ra.close()
				rc.Close()
				return err
			}
		}
		t.element(source, els.Raw(), els.Invalid())
		if t.parts != nil && (t.st.Fetched%t.partOf == 0 || t.w.partBytes() >= maxPartBytes) {
			if err := t.handOver(); err != nil {
				ra.close()
				rc.Close()
				return err
			}
		}
	}
	rerr := els.Err()
	ra.close()
	cerr := rc.Close()
	if rerr != nil {
		return fmt.Errorf("read %s: %w", in.Name, rerr)
	}
	if cerr != nil {
		return fmt.Errorf("read %s: close: %w", in.Name, cerr)
	}
	return nil
}

// element handles one element: dedupe by row id first, then validate.
func (t *transformer) element(source string, raw []byte, invalid error) {
	t.st.Fetched++
	if invalid == nil {
		var el blob.Element
		el, invalid = blob.Split(&t.tape, raw)
		if invalid == nil {
			h := persona.IDHash(el.ID)
			content := xxh3.Hash(t.tape.Text(el.Blob))
			if kept, dup := t.seen[h]; dup {
				t.st.Duplicates++
				if kept != content {
					t.st.Conflicts++
				}
				return
			}
			t.seen[h] = content
			s, c, rej := t.norm.blobAt(el.ID, &t.tape, el.Blob)
			switch {
			case rej != nil:
				t.reject(source, el.ID, raw, rej)
			case c != nil:
				t.w.census(t.date, c, source)
				t.st.ServerEvents++
			default:
				s.idHash = h
				t.w.session(t.date, s, source)
				t.st.Loaded++
			}
			return
		}
	}
	// Not JSON: no id can be known, so it is not deduplicated either.
	t.reject(source, "", raw, &rejection{reason: ReasonInvalidJSON, detail: blob.OneLine(invalid.Error())})
}

func (t *transformer) reject(source, id string, raw []byte, r *rejection) {
	t.st.Rejected++
	t.st.RejectedBy[r.reason]++
	t.w.reject(t.date, r, id, source, raw)
}

// dayWriter owns the three Parquet sinks of a day, written into a
// temporary directory of the staging area until the day is complete.
type dayWriter struct {
	staging                   Staging
	day                       time.Time
	tmp                       string
	sessions, events, rejects *sink
	server, lists             *sink
	ses                       sessionCols
	ev                        eventCols
	lst                       listCols
	rej                       rejectCols
	srv                       serverCols
	names                     distinctNames
	prof                      *profiler
	written                   int32            // sessions so far: the next one's number
	listNumbers               map[string]int32 // the day's event lists, by key (see eventList)
	listKeyBytes              int              // the keys' text
	listCount                 int32            // event lists numbered so far
	listKey                   []byte
}

// newDayWriter starts a day's Parquet files; parts says that the sinks
// also keep their records for Options.Parts.
func newDayWriter(staging Staging, day time.Time, batch int, parts bool) (*dayWriter, error) {
	if _, err := staging.claim(); err != nil {
		return nil, err
	}
	tmp, err := durable.MkdirTemp(staging.Dir, persona.Partition(day))
	if err != nil {
		return nil, err
	}
	mem := memory.NewGoAllocator()
	w := &dayWriter{staging: staging, day: day, tmp: tmp, prof: newProfiler()}
	if w.sessions, err = newSink(staging.SessionsPath(day), tmp, sessionsSchema, batch, mem); err != nil {
		w.abort()
		return nil, err
	}
	if w.events, err = newSink(staging.EventsPath(day), tmp, eventsSchema, batch*eventsPerSession, mem); err != nil {
		w.abort()
		return nil, err
	}
	if w.lists, err = newSink(staging.EventListsPath(day), tmp, eventListsSchema, batch, mem); err != nil {
		w.abort()
		return nil, err
	}
	if w.rejects, err = newSink(staging.RejectsPath(day), tmp, rejectsSchema, batch, mem); err != nil {
		w.abort()
		return nil, err
	}
	if w.server, err = newSink(staging.ServerEventsPath(day), tmp, serverEventsSchema, batch, mem); err != nil {
		w.abort()
		return nil, err
	}
	for _, s := range w.sinks() {
		s.keep = parts
	}
	w.ses = newSessionCols(w.sessions)
	w.ev = newEventCols(w.events)
	w.lst = newListCols(w.lists)
	w.listNumbers = map[string]int32{}
	w.rej = newRejectCols(w.rejects)
	w.srv = newServerCols(w.server)
	return w, nil
}

// partBytes is the text of the rows since the last part.
func (w *dayWriter) partBytes() int {
	return w.sessions.keptBytes + w.sessions.bytes + w.events.keptBytes + w.events.bytes +
		w.lists.keptBytes + w.lists.bytes + w.rejects.keptBytes + w.rejects.bytes + w.server.keptBytes + w.server.bytes
}

// sinks are the day's sinks, in the order of tables.
func (w *dayWriter) sinks() []*sink {
	return []*sink{w.sessions, w.events, w.lists, w.rejects, w.server}
}

func (w *dayWriter) err() error {
	for _, s := range w.sinks() {
		if err := s.err(); err != nil {
			return err
		}
	}
	return nil
}

func (w *dayWriter) abort() {
	for _, s := range w.sinks() {
		if s != nil {
			s.abort()
		}
	}
	os.RemoveAll(w.tmp)
}

// finish completes the three files, writes the stats and publishes all
// four by renaming, the stats last.
func (w *dayWriter) finish(st *Stats) error {
	sinks := w.sinks()
	// Finish all three even if one fails, so no writer goroutine is left.
	var errs []error
	for _, s := range sinks {
		if err := s.finish(); err != nil {
			errs = append(errs, err)
		}
		s.release()
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	sf := statsFile{Format: FormatVersion, Day: w.day.Format(time.DateOnly), Fetched: st.Fetched, Loaded: st.Loaded,
		ServerEvents: st.ServerEvents, Duplicates: st.Duplicates, Rejected: st.Rejected, Conflicts: st.Conflicts, RejectedBy: st.RejectedBy,
		Files: map[string]int64{}, Profiles: st.Profiles}
	for i, s := range sinks {
		fi, err := os.Stat(s.tmp)
		if err != nil {
			return err
		}
		sf.Files[tables[i]] = fi.Size()
	}
	b, err := json.MarshalIndent(sf, "", "  ")
	if err != nil {
		return err
	}
	for _, s := range sinks {
		if err := os.MkdirAll(filepath.Dir(s.path), 0o755); err != nil {
			return err
		}
		if err := durable.Rename(s.tmp, s.path); err != nil {
			return fmt.Errorf("publish %s: %w", s.path, err)
		}
	}
	if err := durable.WriteFile(w.staging.StatsPath(w.day), append(b, '\n')); err != nil {
		return err
	}
	return os.RemoveAll(w.tmp)
}

// session appends one session and its events.
func (w *dayWriter) session(date int32, s *session, source string) {
	c := &w.ses
	n := len(s.events)
	c.id.Append(s.id)
	c.day.Append(arrow.Date32(date))
	c.ts.Append(arrow.Timestamp(s.tsMs * 1000))
	appendOpt(c.sampleRate, s.sampleRate)
	appendOpt(c.lang, s.lang)
	appendOpt(c.width, s.width)
	appendOpt(c.height, s.height)
	appendOpt(c.os, s.os)
	appendOpt(c.browser, s.browser)
	appendOpt(c.version, s.version)
	appendOpt(c.numberEmails, s.numberEmails)
	c.sites.Append(s.sites)
	appendOpt(c.sitesRemembered, s.sitesRemembered)
	appendOpt(c.newAccount, s.newAccount)
	appendOpt(c.emailType, s.emailType)
	appendOpt(c.rpAPI, s.rpAPI)
	appendOpt(c.orphaned, s.orphaned)
	c.eventCount.Append(int32(n))
	c.duration.Append(s.events[n-1].offset)
	strBytes := len(s.id) + len(s.lang.v) + len(s.os.v) + len(s.browser.v) + len(s.version.v) +
		len(s.emailType.v) + len(s.rpAPI.v) + len(source)
	for i, v := range s.seg {
		c.seg[i].Append(v)
		strBytes += len(v)
	}
	c.source.Append(source)
	number := w.written
	w.written++
	c.session.Append(number)
	w.names.reset()
	w.listKey = w.listKey[:0]
	for _, ev := range s.events {
		first := w.names.add(ev.name)
		if first {
			w.listKey = append(binary.AppendUvarint(w.listKey, uint64(len(ev.name))), ev.name...)
		}
		w.prof.event(ev.name, first)
	}
	c.eventList.Append(w.eventList(date))
	c.idHash.Append(s.idHash)
	w.prof.session(s)
	w.sessions.added(strBytes)

	e := &w.ev
	prev := int64(0)
	for i, ev := range s.events {
		e.day.Append(arrow.Date32(date))
		e.session.Append(number)
		e.seq.Append(int32(i))
		e.name.Append(ev.name)
		e.offset.Append(ev.offset)
		// In stream order: negative where an event was recorded after one
		// that happened later (an XHR answer). The first's is its offset.
		e.delta.Append(ev.offset - prev)
		appendOpt(e.duration, ev.duration)
		appendOpt(e.repeat, ev.repeat)
		prev = ev.offset
		w.events.added(len(s.id) + len(ev.name))
	}
}

// reject appends one reject row; every string is made valid UTF-8.
func (w *dayWriter) reject(date int32, r *rejection, id, source string, raw []byte) {
	c := &w.rej
	c.day.Append(arrow.Date32(date))
	if r.blobDay.IsZero() {
		c.blobDay.AppendNull()
	} else {
		c.blobDay.Append(arrow.Date32FromTime(r.blobDay))
	}
	if id == "" {
		c.id.AppendNull()
	} else {
		c.id.Append(id)
	}
	c.source.Append(source)
	c.reason.Append(r.reason)
	// A rejected blob can hold an address the pipeline would otherwise
	// strip (an xhr.<url>?email= event name): mask it here too.
	detail := redact.Emails(blob.ValidUTF8([]byte(r.detail)))
	c.detail.Append(detail)
	rawText := redact.Emails(blob.ValidUTF8(raw))
	c.raw.Append(rawText)
	w.rejects.added(len(id) + len(source) + len(detail) + len(rawText))
}

// sessionCols are the sessions builders, typed once.
type sessionCols struct {
	id, lang, os, browser, version, emailType, rpAPI, source        *arrayStr
	day                                                             *arrayDate
	ts                                                              *arrayTS
	sampleRate                                                      *arrayF64
	width, height, numberEmails, sites, sitesRemembered, eventCount *arrayI32
	duration                                                        *arrayI64
	newAccount, orphaned                                            *arrayBool
	seg                                                             [numSegs]*arrayStr
	session, eventList                                              *arrayI32
	idHash                                                          *arrayU64
}

func newSessionCols(s *sink) sessionCols {
	c := sessionCols{
		id: builder[*arrayStr](s, "id"), day: builder[*arrayDate](s, "day"), ts: builder[*arrayTS](s, "ts"),
		sampleRate: builder[*arrayF64](s, "sample_rate"), lang: builder[*arrayStr](s, "lang"),
		width: builder[*arrayI32](s, "screen_width"), height: builder[*arrayI32](s, "screen_height"),
		os: builder[*arrayStr](s, "os"), browser: builder[*arrayStr](s, "browser"), version: builder[*arrayStr](s, "browser_version"),
		numberEmails: builder[*arrayI32](s, "number_emails"), sites: builder[*arrayI32](s, "number_sites_signed_in"),
		sitesRemembered: builder[*arrayI32](s, "number_sites_remembered"), newAccount: builder[*arrayBool](s, "new_account"),
		emailType: builder[*arrayStr](s, "email_type"), rpAPI: builder[*arrayStr](s, "rp_api"),
		orphaned: builder[*arrayBool](s, "orphaned"), eventCount: builder[*arrayI32](s, "event_count"),
		duration: builder[*arrayI64](s, "duration_ms"), source: builder[*arrayStr](s, "source"),
		session: builder[*arrayI32](s, "session"), eventList: builder[*arrayI32](s, "event_list"),
		idHash: builder[*arrayU64](s, "id_hash"),
	}
	for i, seg := range persona.Segmentations {
		c.seg[i] = builder[*arrayStr](s, seg.Column)
	}
	return c
}

// eventList is the number of the day's event list whose key is
// w.listKey (the session's distinct names, each after its length as a
// uvarint, so that no two lists share a key), appending the list to
// event_lists the first time the day sees it. The lists remembered are
// bounded (maxListKeys): past that a day whose every blob sent other
// names gives each new list a row of its own, so a list may have two
// numbers, and memory stays bounded whatever the input.
func (w *dayWriter) eventList(date int32) int32 {
	if n, ok := w.listNumbers[string(w.listKey)]; ok {
		return n
	}
	n := w.listCount
	w.listCount++
	key := string(w.listKey)
	if w.listKeyBytes+len(key) <= maxListKeys {
		w.listNumbers[key] = n
		w.listKeyBytes += len(key)
	}
	c := &w.lst
	c.day.Append(arrow.Date32(date))
	c.number.Append(n)
	c.events.Append(true)
	for rest := key; rest != ""; {
		size, k := binary.Uvarint([]byte(rest[:min(len(rest), binary.MaxVarintLen64)]))
		c.names.Append(rest[k : k+int(size)])
		rest = rest[k+int(size):]
	}
	w.lists.added(len(key))
	return n
}

// maxListKeys bounds the text of the event lists a day remembers (a
// generated day of 200,000 blobs has a few hundred lists, 30 KiB).
var maxListKeys = 32 << 20 // a variable for the test of the bound

// listCols are the event_lists builders, typed once.
type listCols struct {
	day    *arrayDate
	number *arrayI32
	events *arrayList
	names  *arrayStr
}

func newListCols(s *sink) listCols {
	c := listCols{day: builder[*arrayDate](s, "day"), number: builder[*arrayI32](s, "event_list"),
		events: builder[*arrayList](s, "events")}
	c.names = c.events.ValueBuilder().(*arrayStr)
	return c
}

// distinctNames tells the first appearance of a name within one stream.
// Streams are short, so a scan of the names seen beats hashing them; a
// map takes over for a stream of many different names.
type distinctNames struct {
	list []string
	set  map[string]struct{}
}

// linearNames is how many names distinctNames scans before it hashes.
const linearNames = 32

func (d *distinctNames) reset() {
	d.list = d.list[:0]
	clear(d.set)
}

// add reports whether name is new to the stream, and remembers it.
func (d *distinctNames) add(name string) bool {
	if len(d.list) < linearNames {
		if slices.Contains(d.list, name) {
			return false
		}
		d.list = append(d.list, name)
		return true
	}
	if d.set == nil {
		d.set = make(map[string]struct{})
	}
	if len(d.set) == 0 {
		for _, n := range d.list {
			d.set[n] = struct{}{}
		}
	}
	if _, ok := d.set[name]; ok {
		return false
	}
	d.set[name] = struct{}{}
	return true
}

// eventCols are the events builders, typed once.
type eventCols struct {
	day                     *arrayDate
	session, seq, repeat    *arrayI32
	name                    *arrayStr
	offset, delta, duration *arrayI64
}

func newEventCols(s *sink) eventCols {
	return eventCols{day: builder[*arrayDate](s, "day"), session: builder[*arrayI32](s, "session"),
		seq: builder[*arrayI32](s, "seq"), name: builder[*arrayStr](s, "name"),
		offset: builder[*arrayI64](s, "offset_ms"), delta: builder[*arrayI64](s, "delta_ms"),
		duration: builder[*arrayI64](s, "duration_ms"), repeat: builder[*arrayI32](s, "repeat_count")}
}

// serverCols are the server_events builders, typed once.
type serverCols struct {
	id, typ, os, browser, version, idp, rp, source *arrayStr
	day                                            *arrayDate
	ts                                             *arrayTS
}

func newServerCols(s *sink) serverCols {
	return serverCols{id: builder[*arrayStr](s, "id"), day: builder[*arrayDate](s, "day"), ts: builder[*arrayTS](s, "ts"),
		typ: builder[*arrayStr](s, "type"), os: builder[*arrayStr](s, "os"), browser: builder[*arrayStr](s, "browser"),
		version: builder[*arrayStr](s, "browser_version"), idp: builder[*arrayStr](s, "idp"), rp: builder[*arrayStr](s, "rp"),
		source: builder[*arrayStr](s, "source")}
}

// census appends one of the server's census entries.
func (w *dayWriter) census(date int32, c *census, source string) {
	x := &w.srv
	x.id.Append(c.id)
	x.day.Append(arrow.Date32(date))
	x.ts.Append(arrow.Timestamp(c.tsMs * 1000))
	x.typ.Append(c.typ)
	appendOpt(x.os, c.agent.os)
	appendOpt(x.browser, c.agent.browser)
	appendOpt(x.version, c.agent.version)
	appendOpt(x.idp, c.idp)
	appendOpt(x.rp, c.rp)
	x.source.Append(source)
	w.prof.census(c)
	w.server.added(len(c.id) + len(c.typ) + len(c.agent.os.v) + len(c.agent.browser.v) + len(c.idp.v) + len(c.rp.v) + len(source))
}

// rejectCols are the rejects builders, typed once.
type rejectCols struct {
	day, blobDay                    *arrayDate
	id, source, reason, detail, raw *arrayStr
}

func newRejectCols(s *sink) rejectCols {
	return rejectCols{day: builder[*arrayDate](s, "day"), blobDay: builder[*arrayDate](s, "blob_day"),
		id: builder[*arrayStr](s, "id"), source: builder[*arrayStr](s, "source"), reason: builder[*arrayStr](s, "reason"),
		detail: builder[*arrayStr](s, "detail"), raw: builder[*arrayStr](s, "raw")}
}

// appendOpt appends v to a column builder, or NULL when v is absent.
func appendOpt[T any](b interface {
	Append(T)
	AppendNull()
}, v opt[T]) {
	if v.ok {
		b.Append(v.v)
	} else {
		b.AppendNull()
	}
}

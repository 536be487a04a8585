package transform

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	_ "github.com/marcboeker/go-duckdb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/internal/durable"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/store"
)

var testDay = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)

// tsMs is 2026-11-20 12:30 UTC in milliseconds.
const tsMs = 1795177800000

func textInput(name, text string) Input {
	return Input{Name: name, Source: "test", Open: func() (io.ReadCloser, error) {
		return io.NopCloser(strings.NewReader(text)), nil
	}}
}

func opts(dir string, inputs ...Input) Options {
	return Options{Day: testDay, Inputs: inputs, OutDir: dir, Config: config.Default()}
}

// openDB creates a store with the pipeline's schema, as kpi does.
func openDB(t *testing.T) *sql.DB {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	return st.DB
}

func loadDay(t *testing.T, db *sql.DB, dir string, day time.Time) {
	t.Helper()
	for table, path := range map[string]string{
		"sessions": Staging{Dir: dir}.SessionsPath(day), "events": Staging{Dir: dir}.EventsPath(day),
		"event_lists": Staging{Dir: dir}.EventListsPath(day), "rejects": Staging{Dir: dir}.RejectsPath(day),
	} {
		_, err := db.Exec(fmt.Sprintf("INSERT INTO %s BY NAME SELECT * FROM read_parquet('%s')", table, path))
		require.NoError(t, err, table)
	}
}

func TestParquetSchemasMatchTables(t *testing.T) {
	dir := t.TempDir()
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", rowText("r1", ""))))
	require.NoError(t, err)
	db := openDB(t)
	describe := func(q string) []string {
		rows, err := db.Query("DESCRIBE " + q)
		require.NoError(t, err)
		defer rows.Close()
		cols, _ := rows.Columns()
		var out []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			out = append(out, fmt.Sprintf("%v %v", vals[0], vals[1]))
		}
		return out
	}
	for table, path := range map[string]string{
		"sessions": Staging{Dir: dir}.SessionsPath(testDay), "events": Staging{Dir: dir}.EventsPath(testDay), "rejects": Staging{Dir: dir}.RejectsPath(testDay),
	} {
		assert.Equal(t, describe(table), describe(fmt.Sprintf("SELECT * FROM read_parquet('%s')", path)), table)
	}
}

// rowText is a KPIggybank row with a full blob; extra is appended to the
// blob (a repeated key overrides the earlier one).
func rowText(id, extra string) string {
	return fmt.Sprintf(`{"id": %q, "key": %d, "value": %s}`, id, tsMs, blobText(extra))
}

func blobText(extra string) string {
	return fmt.Sprintf(`{"timestamp": %d, "sample_rate": 1, "lang": "en", "screen_size": {"width": 1280, "height": 800}, "user_agent": {"os": "Windows NT 6.1", "browser": "Firefox", "version": "17.0"}, "number_emails": 2, "number_sites_signed_in": 4, "number_sites_remembered": 3, "new_account": false, "email_type": "primary", "rp_api": "watch_with_onready", "orphaned": false, "local_timestamp": "secret", "event_stream": [["screen.rp_info", 10], ["screen.pick_email", 200], ["user.email_confrimed", 900], ["assertion_generated", 1000], ["window.unload", 1500]]%s}`, tsMs, extra)
}

func TestRoundTripThroughDuckDB(t *testing.T) {
	dir := t.TempDir()
	in1 := "[" + rowText("r1", "") + ",\n" +
		rowText("r2", `, "lang": "<script>alert(1)</script>", "user_agent": null, "screen_size": {"width": "600"}, "number_emails": "7", "email_type": null, "rp_api": null, "new_account": "true", "orphaned": 1, "sample_rate": "0.5", "number_sites_signed_in": 0, "sites_signed_in": "2"`) + ",\n" +
		rowText("r1", "") + ",\n" + // duplicate within the input
		rowText("r3", `, "event_stream": []`) + ",\n" +
		`{"id": "r4", "value": {"timestamp": 1370044800000, "event_stream": [["a", 1]]}}` + ",\n" + // another day
		`{"id": "r5", "value": {"timestamp": 12, "event_stream": [["a", 1]]}}` + "]" // before Persona existed
	in2 := blobText(`, "lang": "bad`+"\xff"+`byte"`) + "\n" + // bare blob, NDJSON
		rowText("r2", "") + "\n" + // duplicate across inputs, with other content: a conflict
		"{not json\n"
	st, err := TransformDay(context.Background(), opts(dir, textInput("in1", in1), textInput("in2", in2)))
	require.NoError(t, err)
	counted := st
	counted.Profiles = nil
	assert.Equal(t, Stats{Day: testDay, Counts: persona.Counts{Fetched: 9, Loaded: 3, Duplicates: 2, Rejected: 4, Conflicts: 1},
		RejectedBy: map[string]int64{ReasonEmptyEventStream: 1, ReasonOutsideWindow: 1, ReasonInvalidJSON: 1, ReasonBadTimestamp: 1}}, counted)
	require.NotNil(t, st.Profiles)

	read, err := Staging{Dir: dir}.ReadStats(testDay)
	require.NoError(t, err)
	assert.Equal(t, st, read)

	db := openDB(t)
	loadDay(t, db, dir, testDay)

	type sessionRow struct {
		id, day, ts                                        string
		sampleRate                                         sql.NullFloat64
		lang                                               sql.NullString
		width, height                                      sql.NullInt32
		os, browser, version                               sql.NullString
		emails                                             sql.NullInt32
		sites                                              int32
		remembered                                         sql.NullInt32
		newAccount                                         sql.NullBool
		emailType, rpAPI                                   sql.NullString
		orphaned                                           sql.NullBool
		eventCount                                         int32
		duration                                           int64
		segOS, segBrowser, segScreen, segEmails, segLocale string
		segAPI, segEmailType, source                       string
	}
	rows, err := db.Query(`SELECT id, strftime(day, '%Y-%m-%d'), strftime(ts, '%Y-%m-%d %H:%M:%S'), sample_rate, lang,
		screen_width, screen_height, os, browser, browser_version, number_emails, number_sites_signed_in,
		number_sites_remembered, new_account, email_type, rp_api, orphaned, event_count, duration_ms,
		seg_os, seg_browser, seg_screen, seg_emails, seg_locale, seg_api, seg_email_type, source
		FROM sessions ORDER BY id`)
	require.NoError(t, err)
	var got []sessionRow
	for rows.Next() {
		var r sessionRow
		require.NoError(t, rows.Scan(&r.id, &r.day, &r.ts, &r.sampleRate, &r.lang, &r.width, &r.height, &r.os,
			&r.browser, &r.version, &r.emails, &r.sites, &r.remembered, &r.newAccount, &r.emailType, &r.rpAPI,
			&r.orphaned, &r.eventCount, &r.duration, &r.segOS, &r.segBrowser, &r.segScreen, &r.segEmails,
			&r.segLocale, &r.segAPI, &r.segEmailType, &r.source))
		got = append(got, r)
	}
	require.NoError(t, rows.Err())
	require.Len(t, got, 3)

	bare := got[0] // the sha1 id sorts first
	assert.Len(t, bare.id, 40)
	assert.Equal(t, "bad\uFFFDbyte", bare.lang.String)
	assert.Equal(t, "Other", bare.segLocale)

	r1 := got[1]
	assert.Equal(t, sessionRow{
		id: "r1", day: "2026-11-20", ts: "2026-11-20 12:30:00",
		sampleRate: sql.NullFloat64{Float64: 1, Valid: true}, lang: sql.NullString{String: "en", Valid: true},
		width: sql.NullInt32{Int32: 1280, Valid: true}, height: sql.NullInt32{Int32: 800, Valid: true},
		os: sql.NullString{String: "Windows NT 6.1", Valid: true}, browser: sql.NullString{String: "Firefox", Valid: true},
		version: sql.NullString{String: "17.0", Valid: true}, emails: sql.NullInt32{Int32: 2, Valid: true}, sites: 4,
		remembered: sql.NullInt32{Int32: 3, Valid: true}, newAccount: sql.NullBool{Bool: false, Valid: true},
		emailType: sql.NullString{String: "primary", Valid: true}, rpAPI: sql.NullString{String: "watch_with_onready", Valid: true},
		orphaned: sql.NullBool{Bool: false, Valid: true}, eventCount: 5, duration: 1500,
		segOS: "Windows 7", segBrowser: "Firefox", segScreen: "Desktop (>= 1024)", segEmails: "2", segLocale: "English",
		segAPI: "watch with onready", segEmailType: "IdP", source: "test",
	}, r1)

	r2 := got[2]
	assert.Equal(t, sessionRow{
		id: "r2", day: "2026-11-20", ts: "2026-11-20 12:30:00",
		sampleRate: sql.NullFloat64{Float64: 0.5, Valid: true}, lang: sql.NullString{String: "<script>alert(1)</script>", Valid: true},
		width: sql.NullInt32{Int32: 600, Valid: true}, emails: sql.NullInt32{Int32: 7, Valid: true}, sites: 2,
		remembered: sql.NullInt32{Int32: 3, Valid: true}, newAccount: sql.NullBool{Bool: true, Valid: true},
		orphaned: sql.NullBool{Bool: true, Valid: true}, eventCount: 5, duration: 1500,
		segOS: "Other", segBrowser: "Other", segScreen: "Mobile (<= 640)", segEmails: "3+", segLocale: "Other",
		segAPI: "Other", segEmailType: "Other", source: "test",
	}, r2)

	// Events of r1, in order, with the typo fixed and deltas from the previous offset.
	evRows, err := db.Query(`SELECT strftime(day, '%Y-%m-%d'), seq, name, offset_ms, delta_ms FROM events
		WHERE session = (SELECT session FROM sessions WHERE id = 'r1') ORDER BY seq`)
	require.NoError(t, err)
	var events []string
	for evRows.Next() {
		var day, name string
		var seq int32
		var off, delta int64
		require.NoError(t, evRows.Scan(&day, &seq, &name, &off, &delta))
		events = append(events, fmt.Sprintf("%s %d %s %d %d", day, seq, name, off, delta))
	}
	assert.Equal(t, []string{
		"2026-11-20 0 screen.rp_info 10 10",
		"2026-11-20 1 screen.pick_email 200 190",
		"2026-11-20 2 user.email_confirmed 900 700",
		"2026-11-20 3 assertion_generated 1000 100",
		"2026-11-20 4 window.unload 1500 500",
	}, events)
	var nEvents int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM events`).Scan(&nEvents))
	assert.Equal(t, 15, nEvents)

	// Rejects: reason, ids, days and the raw text as received.
	rejRows, err := db.Query(`SELECT strftime(day, '%Y-%m-%d'), coalesce(strftime(blob_day, '%Y-%m-%d'), '-'), coalesce(id, '-'), source, reason, detail, raw FROM rejects ORDER BY reason`)
	require.NoError(t, err)
	var rejects [][]string
	for rejRows.Next() {
		r := make([]string, 7)
		require.NoError(t, rejRows.Scan(&r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6]))
		rejects = append(rejects, r)
	}
	require.Len(t, rejects, 4)
	assert.Equal(t, []string{"2026-11-20", "-", "r5", "test", ReasonBadTimestamp}, rejects[0][:5])
	assert.Contains(t, rejects[0][5], "before Persona existed (2011)")
	assert.Equal(t, []string{"2026-11-20", "2026-11-20", "r3", "test", ReasonEmptyEventStream, "event_stream is empty", rowText("r3", `, "event_stream": []`)}, rejects[1])
	assert.Equal(t, []string{"2026-11-20", "-", "-", "test", ReasonInvalidJSON}, rejects[2][:5])
	assert.Equal(t, "{not json", rejects[2][6])
	assert.Equal(t, []string{"2026-11-20", "2013-06-01", "r4", "test", ReasonOutsideWindow}, rejects[3][:5])
	assert.Contains(t, rejects[3][5], "2013-06-01")
}

func TestEmptyDayWritesEmptyFiles(t *testing.T) {
	dir := t.TempDir()
	st, err := TransformDay(context.Background(), opts(dir, textInput("empty", ""), textInput("array", "[]")))
	require.NoError(t, err)
	assert.Equal(t, Stats{Day: testDay, RejectedBy: map[string]int64{}, Profiles: &store.Profiles{EventNames: []store.EventNameCount{},
		OtherValues: []store.OtherValueCount{}, ServerTypes: []store.ServerTypeCount{}, SampleRates: []store.SampleRateCount{}}}, st)
	read, err := Staging{Dir: dir}.ReadStats(testDay)
	require.NoError(t, err)
	assert.Equal(t, st, read)

	db := openDB(t)
	loadDay(t, db, dir, testDay)
	for _, table := range []string{"sessions", "events", "rejects"} {
		var n int
		require.NoError(t, db.QueryRow("SELECT count(*) FROM "+table).Scan(&n))
		assert.Zero(t, n, table)
	}

	// No inputs at all is an empty day too.
	_, err = TransformDay(context.Background(), opts(dir))
	require.NoError(t, err)
}

func TestRerunReplacesTheDay(t *testing.T) {
	dir := t.TempDir()
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", rowText("r1", "")+"\n"+rowText("r2", ""))))
	require.NoError(t, err)
	st, err := TransformDay(context.Background(), opts(dir, textInput("a", rowText("r3", ""))))
	require.NoError(t, err)
	assert.EqualValues(t, 1, st.Loaded)

	db := openDB(t)
	loadDay(t, db, dir, testDay)
	var ids string
	require.NoError(t, db.QueryRow("SELECT string_agg(id, ',' ORDER BY id) FROM sessions").Scan(&ids))
	assert.Equal(t, "r3", ids)
	assertNoTempFiles(t, dir)
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && (strings.HasSuffix(path, ".tmp") || durable.IsTemp(d.Name())) {
			t.Errorf("temporary file left: %s", path)
		}
		return err
	}))
}

type failingReader struct{ data io.Reader }

func (f *failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if err == io.EOF {
		return n, errors.New("disk on fire")
	}
	return n, err
}

func (f *failingReader) Close() error { return nil }

func TestFailingInputLeavesPreviousFilesIntact(t *testing.T) {
	dir := t.TempDir()
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", rowText("r1", ""))))
	require.NoError(t, err)
	before := map[string][]byte{}
	for _, p := range []string{Staging{Dir: dir}.SessionsPath(testDay), Staging{Dir: dir}.EventsPath(testDay), Staging{Dir: dir}.RejectsPath(testDay), Staging{Dir: dir}.StatsPath(testDay)} {
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		before[p] = b
	}

	name := "raw/day=2026-11-20/http-0000-2400.json.zst"
	bad := Input{Name: name, Source: "test", Open: func() (io.ReadCloser, error) {
		return &failingReader{strings.NewReader("[" + rowText("r2", "") + "," + rowText("r3", ""))}, nil
	}}
	_, err = TransformDay(context.Background(), opts(dir, textInput("ok", rowText("r9", "")), bad))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "transform day 2026-11-20: read "+name+": disk on fire")

	notOpened := Input{Name: "gone.json", Source: "test", Open: func() (io.ReadCloser, error) { return nil, os.ErrNotExist }}
	_, err = TransformDay(context.Background(), opts(dir, notOpened))
	require.ErrorIs(t, err, os.ErrNotExist)
	assert.Contains(t, err.Error(), "transform day 2026-11-20: open gone.json")

	for p, b := range before {
		now, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.Equal(t, b, now, p)
	}
	assertNoTempFiles(t, dir)
	_, err = Staging{Dir: dir}.ReadStats(testDay)
	require.NoError(t, err)
}

func TestUnwritableOutputIsAnError(t *testing.T) {
	dir := t.TempDir()
	// A file where the sessions directory should be.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "sessions"), nil, 0o644))
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", rowText("r1", ""))))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "transform day 2026-11-20")
	assertNoTempFiles(t, dir)
}

func TestCancelledContextStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	_, err := TransformDay(ctx, opts(dir, textInput("a", rowText("r1", ""))))
	require.ErrorIs(t, err, context.Canceled)
	_, err = os.Stat(Staging{Dir: dir}.StatsPath(testDay))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestMissingSegmentationsIsAnError(t *testing.T) {
	o := opts(t.TempDir(), textInput("a", rowText("r1", "")))
	o.Config = config.Config{}
	_, err := TransformDay(context.Background(), o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "segmentations.OS")
}

func TestReadStatsNoticesFilesFromAnotherRun(t *testing.T) {
	dir := t.TempDir()
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", rowText("r1", ""))))
	require.NoError(t, err)
	// As if a crash happened between the renames of a later run.
	require.NoError(t, os.WriteFile(Staging{Dir: dir}.SessionsPath(testDay), []byte("PAR1 something else PAR1"), 0o644))
	_, err = Staging{Dir: dir}.ReadStats(testDay)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "interrupted transform")

	_, err = Staging{Dir: dir}.ReadStats(testDay.AddDate(0, 0, 1))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestReadStatsRefusesFilesOfAnotherFormat(t *testing.T) {
	dir := t.TempDir()
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", rowText("r1", ""))))
	require.NoError(t, err)
	// As an older kpi wrote it: no format, and Parquet without sessions.events.
	b, err := os.ReadFile(Staging{Dir: dir}.StatsPath(testDay))
	require.NoError(t, err)
	old := strings.Replace(string(b), fmt.Sprintf(`"format": %d,`, FormatVersion), "", 1)
	require.NotEqual(t, string(b), old, "the stats file records its format")
	require.NoError(t, os.WriteFile(Staging{Dir: dir}.StatsPath(testDay), []byte(old), 0o644))
	_, err = Staging{Dir: dir}.ReadStats(testDay)
	require.ErrorContains(t, err, "transformed by another kpi (format 0")
	assert.ErrorContains(t, err, "transform the day again")
}

func TestSmallBatchesMakeManyRowGroups(t *testing.T) {
	dir := t.TempDir()
	var sb strings.Builder
	for i := range 25 {
		sb.WriteString(rowText(fmt.Sprintf("r%02d", i), "") + "\n")
	}
	o := opts(dir, textInput("a", sb.String()))
	o.BatchRows = 4
	st, err := TransformDay(context.Background(), o)
	require.NoError(t, err)
	assert.EqualValues(t, 25, st.Loaded)

	db := openDB(t)
	loadDay(t, db, dir, testDay)
	var sessions, events, groups int
	require.NoError(t, db.QueryRow("SELECT count(*), count(DISTINCT id) FROM sessions").Scan(&sessions, new(int)))
	require.NoError(t, db.QueryRow("SELECT count(*) FROM events").Scan(&events))
	require.NoError(t, db.QueryRow(fmt.Sprintf("SELECT count(DISTINCT row_group_id) FROM parquet_metadata('%s')", Staging{Dir: dir}.SessionsPath(testDay))).Scan(&groups))
	assert.Equal(t, 25, sessions)
	assert.Equal(t, 125, events)
	assert.Equal(t, 7, groups) // 25 rows in batches of 4
}

func TestHostileTextSurvivesDuckDB(t *testing.T) {
	dir := t.TempDir()
	lang := `<script>alert('x')</script>` + "\u0000\u2028\"\\"
	text := rowText("h1", `, "lang": "<script>alert('x')</script>\u0000\u2028\"\\", "event_stream": [["a\u0000b", 1]]`) + "\n" +
		"{\"broken\": \"\xff\x00\n"
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", text)))
	require.NoError(t, err)
	db := openDB(t)
	loadDay(t, db, dir, testDay)
	var gotLang, gotName, gotRaw string
	require.NoError(t, db.QueryRow("SELECT lang FROM sessions").Scan(&gotLang))
	require.NoError(t, db.QueryRow("SELECT name FROM events").Scan(&gotName))
	require.NoError(t, db.QueryRow("SELECT raw FROM rejects").Scan(&gotRaw))
	assert.Equal(t, lang, gotLang)
	assert.Equal(t, "a\x00b", gotName)
	assert.Equal(t, "{\"broken\": \"\uFFFD\x00", gotRaw)
}

func TestDaysListsTransformedDays(t *testing.T) {
	dir := t.TempDir()
	days, err := Staging{Dir: dir}.Days()
	require.NoError(t, err)
	assert.Empty(t, days)
	for _, d := range []time.Time{testDay.AddDate(0, 0, 1), testDay} {
		o := opts(dir)
		o.Day = d
		_, err := TransformDay(context.Background(), o)
		require.NoError(t, err)
	}
	// A leftover temporary stats file is not a day.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "stats", ".day=2026-11-22.json.123.tmp"), nil, 0o644))
	days, err = Staging{Dir: dir}.Days()
	require.NoError(t, err)
	assert.Equal(t, []time.Time{testDay, testDay.AddDate(0, 0, 1)}, days)
}

func TestSessionsListDistinctEventNamesInOrder(t *testing.T) {
	dir := t.TempDir()
	var long []string
	var want []string
	for i := range 40 { // past distinctNames' linear scan: the map takes over
		name := fmt.Sprintf("e%02d", 39-i)
		want = append(want, name)
		long = append(long, fmt.Sprintf(`[%q, %d]`, name, 2*i), fmt.Sprintf(`[%q, %d]`, want[i/2], 2*i+1))
	}
	in := rowText("short", `, "event_stream": [["b", 1], ["a", 2], ["b", 3], ["user.email_confrimed", 4], ["a", 5], ["user.email_confirmed", 6], ["c", 7]]`) + "\n" +
		rowText("long", `, "event_stream": [`+strings.Join(long, ", ")+`]`) + "\n"
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", in)))
	require.NoError(t, err)
	db := openDB(t)
	loadDay(t, db, dir, testDay)

	got := map[string]string{}
	rows, err := db.Query(`SELECT s.id, array_to_string(l.events, ' ') FROM sessions s JOIN event_lists l USING (day, event_list)`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var id, events string
		require.NoError(t, rows.Scan(&id, &events))
		got[id] = events
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, map[string]string{
		"short": "b a user.email_confirmed c",
		"long":  strings.Join(want, " "),
	}, got)

	// The list is the events table's names, each once; sessions are
	// numbered in the order they were written, and their lists in the
	// order of first use.
	var mismatched int
	require.NoError(t, db.QueryRow(`SELECT count(*) FROM sessions s JOIN event_lists l USING (day, event_list)
		WHERE list_sort(l.events) <> (SELECT list_sort(list(DISTINCT name)) FROM events e WHERE e.session = s.session AND e.day = s.day)`).Scan(&mismatched))
	assert.Zero(t, mismatched)
	var numbers, listNumbers string
	require.NoError(t, db.QueryRow(`SELECT string_agg(id || '=' || session, ' ' ORDER BY session),
		string_agg(id || '=' || event_list, ' ' ORDER BY session) FROM sessions`).Scan(&numbers, &listNumbers))
	assert.Equal(t, "short=0 long=1", numbers)
	assert.Equal(t, "short=0 long=1", listNumbers)
}

func TestStagingCleanRemovesOnlyWhatAKilledTransformLeft(t *testing.T) {
	dir := t.TempDir()
	st := Staging{Dir: dir}
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", rowText("r1", ""))))
	require.NoError(t, err)
	// What a killed transform leaves, now and in earlier versions.
	tmp, err := durable.MkdirTemp(dir, persona.Partition(testDay))
	require.NoError(t, err)
	legacy := []string{
		filepath.Join(filepath.Dir(st.SessionsPath(testDay)), ".part-0.parquet.123.tmp"),
		filepath.Join(dir, "stats", ".day=2026-11-20.json.456.tmp"),
	}
	for _, p := range legacy {
		require.NoError(t, os.WriteFile(p, nil, 0o644))
	}
	// A user's own file beside the lake is not kpi's to remove.
	mine := filepath.Join(dir, ".tmp-notes")
	require.NoError(t, os.WriteFile(mine, nil, 0o644))

	removed, err := st.Clean()
	require.NoError(t, err)
	assert.ElementsMatch(t, append(legacy, tmp), removed)
	assert.FileExists(t, mine)
	assertNoTempFiles(t, filepath.Join(dir, "sessions"))
	_, err = st.ReadStats(testDay)
	assert.NoError(t, err, "the day itself is untouched")
}

// TestArrowSchemasMatchTheStore compares each Arrow schema with its
// table, column by column: the same names in the same order, and NOT
// NULL exactly where the field is required. A column renamed, added or
// moved on one side only fails here, not as silently shifted data.
func TestArrowSchemasMatchTheStore(t *testing.T) {
	db := openDB(t)
	for table, sc := range map[string]*arrow.Schema{"sessions": sessionsSchema, "events": eventsSchema,
		"event_lists": eventListsSchema, "rejects": rejectsSchema} {
		rows, err := db.Query(`SELECT column_name, is_nullable FROM information_schema.columns
			WHERE table_name = ? ORDER BY ordinal_position`, table)
		require.NoError(t, err)
		var got []string
		for rows.Next() {
			var name, nullable string
			require.NoError(t, rows.Scan(&name, &nullable))
			got = append(got, fmt.Sprintf("%s null=%v", name, nullable == "YES"))
		}
		require.NoError(t, rows.Err())
		rows.Close()
		var want []string
		for _, f := range sc.Fields() {
			want = append(want, fmt.Sprintf("%s null=%v", f.Name, f.Nullable))
		}
		assert.Equal(t, got, want, table)
	}
}

// TestProfilesGiveUpPastTheirBound: a day of more distinct profile rows
// than maxProfileRows gets no counted profiles, in its stats or its file.
func TestProfilesGiveUpPastTheirBound(t *testing.T) {
	defer func(n int) { maxProfileRows = n }(maxProfileRows)
	maxProfileRows = 12
	dir := t.TempDir()
	var in strings.Builder
	for i := range 20 {
		in.WriteString(rowText(fmt.Sprintf("r%d", i), fmt.Sprintf(`, "event_stream": [["name.%d", 1]]`, i)) + "\n")
	}
	st, err := TransformDay(context.Background(), opts(dir, textInput("a", in.String())))
	require.NoError(t, err)
	assert.Equal(t, int64(20), st.Loaded)
	assert.Nil(t, st.Profiles)
	b, err := os.ReadFile(Staging{Dir: dir}.StatsPath(testDay))
	require.NoError(t, err)
	assert.NotContains(t, string(b), "profiles")

	maxProfileRows = 100
	st, err = TransformDay(context.Background(), opts(dir, textInput("a", in.String())))
	require.NoError(t, err)
	require.NotNil(t, st.Profiles)
	assert.Len(t, st.Profiles.EventNames, 20)
	read, err := Staging{Dir: dir}.ReadStats(testDay)
	require.NoError(t, err)
	assert.Equal(t, st, read)
}

// TestPartsEndEarlyWhenTheirTextIsLarge: rejects keep each element's raw
// text, so a part also ends once its text passes maxPartBytes.
func TestPartsEndEarlyWhenTheirTextIsLarge(t *testing.T) {
	defer func(n int) { maxPartBytes = n }(maxPartBytes)
	maxPartBytes = 10_000
	var in strings.Builder
	for i := range 60 {
		fmt.Fprintf(&in, `{"id": "x%d", "value": {"pad": %q}}`+"\n", i, strings.Repeat("p", 1000)) // no timestamp: rejected
	}
	var sizes []int
	_, err := TransformDay(context.Background(), Options{Day: testDay, Inputs: []Input{textInput("big", in.String())},
		OutDir: t.TempDir(), Config: config.Default(), Parts: func(p Part) error {
			defer p.Release()
			n := 0
			for _, tr := range p {
				require.Equal(t, "rejects", tr.Table)
				for _, r := range tr.Records {
					n += int(r.NumRows())
				}
			}
			sizes = append(sizes, n)
			return nil
		}})
	require.NoError(t, err)
	assert.GreaterOrEqual(t, len(sizes), 6)
	total := 0
	for _, n := range sizes {
		assert.LessOrEqual(t, n, 10, "10,000 bytes of text and one element more")
		total += n
	}
	assert.Equal(t, 60, total)
}

// TestEventListsStayBoundedPastTheirLimit lowers the text of the lists a
// day remembers: past it a list seen again gets a row of its own, every
// session still has exactly one list with its own names, and each number
// is one row.
func TestEventListsStayBoundedPastTheirLimit(t *testing.T) {
	defer func(old int) { maxListKeys = old }(maxListKeys)
	maxListKeys = 3 // room for the key of [a] (2 bytes), not of [b c] (4)
	dir := t.TempDir()
	in := rowText("s1", `, "event_stream": [["a", 1]]`) + "\n" +
		rowText("s2", `, "event_stream": [["b", 1], ["c", 2]]`) + "\n" +
		rowText("s3", `, "event_stream": [["b", 1], ["c", 2]]`) + "\n" +
		rowText("s4", `, "event_stream": [["a", 1]]`) + "\n"
	_, err := TransformDay(context.Background(), opts(dir, textInput("a", in)))
	require.NoError(t, err)
	db := openDB(t)
	loadDay(t, db, dir, testDay)
	var got string
	require.NoError(t, db.QueryRow(`SELECT string_agg(s.id || '=' || s.event_list || ':' || array_to_string(l.events, ','), ' ' ORDER BY s.id)
		FROM sessions s JOIN event_lists l USING (day, event_list)`).Scan(&got))
	assert.Equal(t, "s1=0:a s2=1:b,c s3=2:b,c s4=0:a", got, "a remembered, b,c past the limit")
	var rows, numbers int
	require.NoError(t, db.QueryRow(`SELECT count(*), count(DISTINCT event_list) FROM event_lists`).Scan(&rows, &numbers))
	assert.Equal(t, 3, rows)
	assert.Equal(t, 3, numbers)
}

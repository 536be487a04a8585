package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/extract/kpiggybank"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/store"
)

// env is one isolated working directory for the CLI.
type env struct {
	t    *testing.T
	dir  string
	db   string
	data string
	out  string
}

func newEnv(t *testing.T) env {
	dir := t.TempDir()
	return env{t: t, dir: dir, db: filepath.Join(dir, "kpi.duckdb"), data: filepath.Join(dir, "data"), out: filepath.Join(dir, "site")}
}

// kpi runs the command line in-process and returns its exit code, stdout
// and stderr.
func (e env) kpi(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Main(context.Background(), append([]string{"kpi"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// mustRun runs `kpi run` against the env's database and data.
func (e env) mustRun(args ...string) string {
	e.t.Helper()
	code, out, errs := e.kpi(append([]string{"run", "--quiet", "--db", e.db, "--data", e.data, "--out", e.out}, args...)...)
	require.Equal(e.t, 0, code, "stderr: %s", errs)
	return out
}

func (e env) open() *store.Reader {
	e.t.Helper()
	r, err := store.OpenReadOnly(context.Background(), e.db)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { r.Close() })
	return r
}

func queryInt(t *testing.T, db *sql.DB, q string, args ...any) int64 {
	t.Helper()
	var n sql.NullInt64
	require.NoError(t, db.QueryRow(q, args...).Scan(&n), q)
	return n.Int64
}

// fingerprint sums up a table's content independently of row order.
func fingerprint(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	var n int64
	var h sql.NullString
	q := fmt.Sprintf("SELECT count(*), bit_xor(hash(x))::VARCHAR FROM %s x", table)
	require.NoError(t, db.QueryRow(q).Scan(&n, &h), q)
	return fmt.Sprintf("%d/%s", n, h.String)
}

type runRow struct {
	status                                string
	fetched, loaded, duplicates, rejected int64
	server                                int64
	source                                string
	from, to                              time.Time
}

func lastRun(t *testing.T, db *sql.DB) runRow {
	t.Helper()
	var r runRow
	require.NoError(t, db.QueryRow(`SELECT status, fetched, loaded, server_events, duplicates, rejected, source, from_day, to_day
		FROM runs ORDER BY id DESC LIMIT 1`).Scan(&r.status, &r.fetched, &r.loaded, &r.server, &r.duplicates, &r.rejected, &r.source, &r.from, &r.to))
	return r
}

// assertAccounted checks that every fetched blob is loaded, a duplicate or
// rejected, and that the tables hold exactly the counted rows.
func assertAccounted(t *testing.T, db *sql.DB, r runRow) {
	t.Helper()
	assert.Equal(t, "success", r.status)
	assert.Equal(t, r.fetched, r.loaded+r.server+r.duplicates+r.rejected, "fetched = loaded + server events + duplicates + rejected")
	assert.Equal(t, r.loaded, queryInt(t, db, "SELECT count(*) FROM sessions"))
	assert.Equal(t, r.server, queryInt(t, db, "SELECT count(*) FROM server_events"))
	assert.Equal(t, r.server, queryInt(t, db, "SELECT sum(server_events) FROM loaded_days"))
	assert.Equal(t, r.server, queryInt(t, db, "SELECT coalesce(sum(events), 0) FROM day_server_types"))
	assert.Equal(t, r.rejected, queryInt(t, db, "SELECT count(*) FROM rejects"))
	assert.Equal(t, r.fetched, queryInt(t, db, "SELECT sum(fetched) FROM loaded_days"))
	assert.Equal(t, r.loaded, queryInt(t, db, "SELECT count(DISTINCT id) FROM sessions"), "no session id twice")
	assert.Equal(t, queryInt(t, db, "SELECT sum(event_count) FROM sessions"), queryInt(t, db, "SELECT count(*) FROM events"))
	// Each session lists its distinct event names, and the day profiles
	// add up to the tables they summarize.
	// Every session has its list, once per day, and every event its session.
	const withLists = "sessions s JOIN event_lists l USING (day, event_list)"
	assert.Equal(t, r.loaded, queryInt(t, db, "SELECT count(*) FROM "+withLists))
	assert.Equal(t, queryInt(t, db, "SELECT count(*) FROM event_lists"), queryInt(t, db, "SELECT count(DISTINCT (day, event_list)) FROM event_lists"))
	assert.Equal(t, queryInt(t, db, "SELECT count(*) FROM event_lists"), queryInt(t, db, "SELECT count(DISTINCT (day, events)) FROM event_lists"))
	assert.Equal(t, r.loaded, queryInt(t, db, "SELECT count(DISTINCT (day, session)) FROM sessions"))
	assert.Zero(t, queryInt(t, db, `SELECT count(*) FROM events e ANTI JOIN sessions s USING (day, session)`))
	assert.Zero(t, queryInt(t, db, `SELECT count(*) FROM `+withLists+` WHERE len(l.events) <>
		(SELECT count(DISTINCT name) FROM events e WHERE e.session = s.session AND e.day = s.day)`))
	assert.Equal(t, queryInt(t, db, "SELECT count(*) FROM events"), queryInt(t, db, "SELECT sum(events) FROM day_event_names"))
	assert.Equal(t, queryInt(t, db, "SELECT sum(len(l.events)) FROM "+withLists), queryInt(t, db, "SELECT sum(sessions) FROM day_event_names"))
	for seg, col := range map[string]string{"OS": "seg_os", "Locale": "seg_locale", "Screen": "seg_screen"} {
		assert.Equal(t, queryInt(t, db, "SELECT count(*) FROM sessions WHERE "+col+" = 'Other'"),
			queryInt(t, db, "SELECT sum(sessions) FROM day_other_values WHERE segmentation = ?", seg), seg)
	}
}

func generatedRows(days []time.Time, perDay int) int64 {
	g := generate.Generator{Seed: 1, PerDay: perDay}
	var n int64
	for _, d := range days {
		n += int64(g.DayCount(d))
	}
	return n
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestRunGeneratedDaysAccountsForEveryBlob(t *testing.T) {
	e := newEnv(t)
	out := e.mustRun("--from", "2026-11-01", "--to", "2026-11-03", "--per-day", "400")
	assert.Contains(t, out, "3 days 2026-11-01..2026-11-03")

	db := e.open()
	r := lastRun(t, db.DB)
	assertAccounted(t, db.DB, r)
	assert.Equal(t, generatedRows(persona.Days(day("2026-11-01"), day("2026-11-03")), 400), r.fetched,
		"every generated row was fetched")
	assert.Positive(t, r.duplicates, "the generator repeats some rows")
	assert.Positive(t, r.rejected, "the generator sends some unusable blobs")
	assert.Equal(t, day("2026-11-01"), r.from)
	assert.Equal(t, day("2026-11-03"), r.to)
	assert.Equal(t, int64(3), queryInt(t, db.DB, "SELECT count(DISTINCT day) FROM sessions"))
	assert.Equal(t, int64(3), queryInt(t, db.DB, "SELECT count(*) FROM loaded_days"))
	// Seven segmentations, all filled.
	assert.Zero(t, queryInt(t, db.DB, `SELECT count(*) FROM sessions WHERE seg_os IS NULL OR seg_browser IS NULL
		OR seg_screen IS NULL OR seg_emails IS NULL OR seg_locale IS NULL OR seg_api IS NULL OR seg_email_type IS NULL`))
	// The report site is written.
	assert.FileExists(t, filepath.Join(e.out, "index.html"))
	assert.FileExists(t, filepath.Join(e.out, "new_user_flow.html"))
	// The raw landing and the Parquet are there for every day.
	for _, d := range []string{"2026-11-01", "2026-11-02", "2026-11-03"} {
		assert.FileExists(t, filepath.Join(e.data, "raw", "day="+d, "manifest.json"))
		assert.FileExists(t, filepath.Join(e.data, "parquet", "sessions", "day="+d, "part-0.parquet"))
	}
}

func TestRunTwiceGivesIdenticalTables(t *testing.T) {
	e := newEnv(t)
	args := []string{"--from", "2026-11-01", "--to", "2026-11-02", "--per-day", "300"}
	e.mustRun(args...)
	db := e.open()
	tables := []string{"sessions", "events", "rejects"}
	first := map[string]string{}
	for _, tb := range tables {
		first[tb] = fingerprint(t, db.DB, tb)
	}
	require.NoError(t, db.Close())

	// The same days again are fetched, found unchanged and left alone.
	out := e.mustRun(args...)
	assert.Contains(t, out, "2 days 2026-11-01..2026-11-02 (2 unchanged)")
	db = e.open()
	for _, tb := range tables {
		assert.Equal(t, first[tb], fingerprint(t, db.DB, tb), tb)
	}
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT days_unchanged FROM runs WHERE id = 2"))
	assert.Zero(t, queryInt(t, db.DB, "SELECT fetched FROM runs WHERE id = 2"))
	require.NoError(t, db.Close())

	// A backfill redoes them all, with the same result.
	code, out, errs := e.kpi(append([]string{"backfill", "--quiet", "--db", e.db, "--data", e.data, "--out", e.out}, args...)...)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "(0 unchanged)")
	db = e.open()
	for _, tb := range tables {
		assert.Equal(t, first[tb], fingerprint(t, db.DB, tb), tb)
	}
	assert.Equal(t, int64(3), queryInt(t, db.DB, "SELECT count(*) FROM runs WHERE status = 'success'"))
	assertAccounted(t, db.DB, lastRun(t, db.DB))
}

func TestRunOneDayReplacesOnlyThatDay(t *testing.T) {
	e := newEnv(t)
	e.mustRun("--from", "2026-11-01", "--to", "2026-11-02", "--per-day", "300")
	db := e.open()
	before := queryInt(t, db.DB, "SELECT count(*) FROM sessions WHERE day = '2026-11-01'")
	require.NoError(t, db.Close())

	// Another seed changes 2026-11-02 only.
	e.mustRun("--from", "2026-11-02", "--to", "2026-11-02", "--per-day", "300", "--seed", "7")
	db = e.open()
	assert.Equal(t, before, queryInt(t, db.DB, "SELECT count(*) FROM sessions WHERE day = '2026-11-01'"))
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT count(*) FROM loaded_days"))
	assert.Equal(t, queryInt(t, db.DB, "SELECT loaded FROM loaded_days WHERE day = '2026-11-02'"),
		queryInt(t, db.DB, "SELECT count(*) FROM sessions WHERE day = '2026-11-02'"))
}

func TestRunFromFilesAccountsForEveryElement(t *testing.T) {
	e := newEnv(t)
	in := filepath.Join(e.dir, "in")
	require.NoError(t, os.MkdirAll(in, 0o755))
	blob := func(ts int64, extra string) string {
		return fmt.Sprintf(`{"timestamp":%d,"lang":"en","event_stream":[["screen.rp_info",0],["window.unload",900]]%s}`, ts, extra)
	}
	ts1 := day("2013-05-01").Add(10 * time.Minute).UnixMilli()
	ts2 := day("2013-05-02").Add(20 * time.Minute).UnixMilli()
	rows := []string{
		fmt.Sprintf(`{"id":"a","key":%d,"value":%s}`, ts1, blob(ts1, "")),
		fmt.Sprintf(`{"id":"b","key":%d,"value":%s}`, ts2, blob(ts2, `,"number_emails":"2"`)),
		fmt.Sprintf(`{"id":"c","key":%d,"value":{"timestamp":%d,"event_stream":[]}}`, ts1, ts1),
	}
	require.NoError(t, os.WriteFile(filepath.Join(in, "rows.json"), []byte("["+strings.Join(rows, ",")+"]"), 0o644))
	// The same row again, a bare blob in seconds, and a broken line.
	more := rows[0] + "\n" + blob(ts2/1000, "") + "\n" + `{"id":"d","value":` + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(in, "more.ndjson"), []byte(more), 0o644))

	out := e.mustRun("--source", in)
	assert.Contains(t, out, "2 days 2013-05-01..2013-05-02")
	assert.Contains(t, out, "fetched 6 = loaded 3 + server events 0 + duplicates 1 + rejected 2")
	db := e.open()
	r := lastRun(t, db.DB)
	assertAccounted(t, db.DB, r)
	assert.Equal(t, "file:"+in, r.source)
	reasons := map[string]int64{}
	rows2, err := db.Query("SELECT reason, count(*) FROM rejects GROUP BY reason")
	require.NoError(t, err)
	for rows2.Next() {
		var reason string
		var n int64
		require.NoError(t, rows2.Scan(&reason, &n))
		reasons[reason] = n
	}
	assert.Equal(t, map[string]int64{"empty_event_stream": 1, "invalid_json": 1}, reasons)
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT number_emails FROM sessions WHERE id = 'b'"))
}

func TestRunFromKPIggybank(t *testing.T) {
	days := persona.Days(day("2026-11-01"), day("2026-11-02"))
	gen := generate.Generator{Seed: 1, PerDay: 300}
	fake := &kpiggybank.FakeServer{Rows: gen, From: days[0], To: days[len(days)-1]}
	var seenAuth bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		seenAuth = seenAuth || (ok && u == "dash" && p == "s3cret")
		fake.Handler().ServeHTTP(w, r)
	}))
	defer srv.Close()

	e := newEnv(t)
	url := strings.Replace(srv.URL, "http://", "http://dash:s3cret@", 1) + "/wsapi/interaction_data"
	e.mustRun("--source", url, "--from", "2026-11-01", "--to", "2026-11-02")
	assert.True(t, seenAuth, "basic auth from the URL is sent")

	db := e.open()
	r := lastRun(t, db.DB)
	assertAccounted(t, db.DB, r)
	assert.Equal(t, generatedRows(days, 300), r.fetched)
	assert.Equal(t, srv.URL+"/wsapi/interaction_data", r.source)
	assert.NotContains(t, r.source, "s3cret")
}

func TestRunFailsCleanlyWhenTheSourceFails(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		http.Error(w, "<html>overloaded</html>", http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	e := newEnv(t)
	cfg := filepath.Join(e.dir, "kpi.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"password":"hunter2","http":{"retries":2,"backoff_base":"1ms","backoff_max":"2ms"}}`), 0o644))

	code, _, errs := e.kpi("run", "--quiet", "--config", cfg, "--db", e.db, "--data", e.data, "--out", e.out,
		"--source", srv.URL+"/wsapi/interaction_data", "--from", "2026-11-01", "--to", "2026-11-01")
	assert.Equal(t, exitSource, code)
	assert.Equal(t, 3, calls, "the first attempt and two retries")
	// Retries are logged as warnings; the failure itself is the last line.
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	last := lines[len(lines)-1]
	assert.True(t, strings.HasPrefix(last, "kpi: extract day 2026-11-01: "), last)
	assert.Contains(t, last, "503")
	assert.Contains(t, last, "after 3 attempts")
	assert.Equal(t, 1, strings.Count(errs, "kpi: "), "one error line: %s", errs)
	assert.NotContains(t, errs, "hunter2")

	db := e.open()
	r := lastRun(t, db.DB)
	assert.Equal(t, "failed", r.status)
	assert.Zero(t, queryInt(t, db.DB, "SELECT count(*) FROM sessions"))
	_, err := os.Stat(filepath.Join(e.data, "raw", "day=2026-11-01"))
	assert.True(t, os.IsNotExist(err), "nothing partial is landed")
}

func TestBadFlagsAndConfigurationExitWithUsageCode(t *testing.T) {
	e := newEnv(t)
	cases := [][]string{
		{"run", "--from", "2026-13-01"},
		{"run", "--from", "2026-11-02", "--to", "2026-11-01"},
		{"run", "--config", filepath.Join(e.dir, "missing.json")},
		{"run", "--source", "ftp://example.org/x", "--db", e.db, "--data", e.data, "--out", e.out},
	}
	for _, args := range cases {
		code, _, errs := e.kpi(args...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, errs)
		assert.True(t, strings.HasPrefix(errs, "kpi: "), errs)
	}
}

func TestRunFromAFileOfBrokenLinesCountsEachLine(t *testing.T) {
	e := newEnv(t)
	in := filepath.Join(e.dir, "bad.ndjson")
	// No line has a usable timestamp; the first is not even JSON.
	text := "{\"id\": \"cut\n" + `{"id":"x","value":{"event_stream":[]}}` + "\n" + `{"id":"y","value":{"timestamp":"soon","event_stream":[["a",1]]}}` + "\n"
	require.NoError(t, os.WriteFile(in, []byte(text), 0o644))
	out := e.mustRun("--source", in, "--from", "2026-11-01", "--to", "2026-11-01")
	assert.Contains(t, out, "fetched 3 = loaded 0 + server events 0 + duplicates 0 + rejected 3")
	db := e.open()
	assert.Equal(t, int64(3), queryInt(t, db.DB, "SELECT count(DISTINCT reason) FROM rejects"))
}

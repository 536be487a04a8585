package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCredentialsAreNeverPrintedOrStored gives --source the URLs an
// operator mistypes, with a password in each: it appears in no output,
// log, runs row or status.
func TestCredentialsAreNeverPrintedOrStored(t *testing.T) {
	e := newEnv(t)
	cfg := filepath.Join(e.dir, "kpi.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"http": {"retries": 0, "timeout": "2s"}}`), 0o644))
	const secret = "hunter2pw"
	for _, src := range []string{
		"HTTPS://reader:" + secret + "@127.0.0.1:1/wsapi/interaction_data",
		" http://reader:" + secret + "@127.0.0.1:1/wsapi/interaction_data",
		"ftp://reader:" + secret + "@example.org/x",
		"http:/reader:" + secret + "@example.org/x",
		"http//reader:" + secret + "@example.org/x",
		"reader:" + secret + "@example.org/x",
	} {
		code, out, errs := e.kpi("run", "--config", cfg, "--db", e.db, "--data", e.data, "--out", e.out,
			"--source", src, "--from", "2026-11-01", "--to", "2026-11-01")
		assert.NotEqual(t, 0, code, src)
		assert.NotContains(t, out+errs, secret, src)
	}
	code, out, errs := e.kpi("status", "--db", e.db)
	require.Equal(t, 0, code, errs)
	assert.NotContains(t, out, secret)
	db := e.open()
	assert.Zero(t, queryInt(t, db.DB, "SELECT count(*) FROM runs WHERE source LIKE '%"+secret+"%' OR error LIKE '%"+secret+"%'"))
	assert.NotZero(t, queryInt(t, db.DB, "SELECT count(*) FROM runs"), "the runs that failed at the source are recorded")
}

// TestTheCommandLineRefusesMisuseInOneLine tries what a careless
// operator types: each gets exit code 2 and one line naming the problem,
// never the whole help.
func TestTheCommandLineRefusesMisuseInOneLine(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"x"}, `unknown command "x": see kpi --help`},
		{[]string{"run", "--bogus"}, "flag provided but not defined: -bogus: see kpi run --help"},
		{[]string{"run", "--per-day", "abc"}, `invalid value "abc" for flag -per-day`},
		{[]string{"compute", "--version", "x"}, `invalid value "x" for flag -version`},
		{[]string{"run", "--from", "2062-11-01", "--db", e.db}, "--from 2062-11-01 is after today"},
		{[]string{"backfill", "--from", "2026-01-01", "--to", "2206-01-01", "--db", e.db}, "--to 2206-01-01 is after today"},
		{[]string{"schedule", "--cron", "@every 0s", "--db", e.db}, "the interval must be at least 1s"},
		{[]string{"schedule", "--cron", "@every -5m", "--db", e.db}, "the interval must be at least 1s"},
	} {
		code, out, errs := e.kpi(tc.args...)
		assert.Equal(t, exitUsage, code, "%v: %s", tc.args, errs)
		assert.Empty(t, out, "%v: nothing on stdout", tc.args)
		assert.Equal(t, 1, strings.Count(errs, "\n"), "%v: one line: %q", tc.args, errs)
		assert.Contains(t, errs, tc.want, tc.args)
	}
	_, err := os.Stat(e.db)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing was created")
}

func TestVersionNamesKpiAndDuckDB(t *testing.T) {
	code, out, _ := newEnv(t).kpi("--version")
	assert.Equal(t, 0, code)
	assert.Regexp(t, `^kpi \S+ \(DuckDB v\d+\.\d+\.\d+, go\S+\)\n$`, out)
}

func TestAMissingDatabaseDirectoryIsNamed(t *testing.T) {
	e := newEnv(t)
	db := filepath.Join(e.dir, "missing", "dir", "x.duckdb")
	code, _, errs := e.kpi("compute", "--db", db)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errs, "the directory "+filepath.Join(e.dir, "missing", "dir")+" does not exist")
	code, _, errs = e.kpi("status", "--db", db)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "database "+db+" does not exist: run `kpi run` first")
	_, err := os.Stat(filepath.Join(e.dir, "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing was created")
}

// TestAbsurdTimestampsCreateNoDays files a blob of 1970 and one of 2099
// beside a real one: both are rejected as bad_timestamp on the real
// day, and no day of their own exists anywhere.
func TestAbsurdTimestampsCreateNoDays(t *testing.T) {
	e := newEnv(t)
	src := filepath.Join(e.dir, "absurd.ndjson")
	blob := func(id string, ms int64) string {
		return fmt.Sprintf(`{"id":%q,"key":%d,"value":{"timestamp":%d,"event_stream":[["screen.rp_info",1]]}}`, id, ms, ms)
	}
	real := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC).UnixMilli()
	lines := blob("ok", real) + "\n" + blob("epoch", 1000) + "\n" + blob("future", time.Date(2099, 12, 31, 0, 0, 0, 0, time.UTC).UnixMilli()) + "\n"
	require.NoError(t, os.WriteFile(src, []byte(lines), 0o644))
	out := e.mustRun("--source", src)
	assert.Contains(t, out, "1 days 2026-11-01..2026-11-01")
	db := e.open()
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT count(*) FROM rejects WHERE reason = 'bad_timestamp' AND day = '2026-11-01'"))
	assert.Equal(t, int64(1), queryInt(t, db.DB, "SELECT count(DISTINCT day) FROM loaded_days"))
	entries, err := os.ReadDir(filepath.Join(e.data, "raw"))
	require.NoError(t, err)
	for _, en := range entries {
		assert.NotContains(t, en.Name(), "1970")
		assert.NotContains(t, en.Name(), "2099")
	}
}

// TestBackfillRebuildsTheRange backfills a range with a file source that
// no longer holds one of its days: that day is emptied, and the store
// holds what a fresh run over the range gives.
func TestBackfillRebuildsTheRange(t *testing.T) {
	blob := func(id, day string) string {
		d, _ := time.Parse(time.DateOnly, day)
		ms := d.Add(10 * time.Hour).UnixMilli()
		return fmt.Sprintf(`{"id":%q,"key":%d,"value":{"timestamp":%d,"event_stream":[["screen.rp_info",1],["assertion_generated",9]]}}`, id, ms, ms)
	}
	dir := t.TempDir()
	all := filepath.Join(dir, "all.ndjson")
	fewer := filepath.Join(dir, "fewer.ndjson")
	require.NoError(t, os.WriteFile(all, []byte(blob("a", "2026-11-01")+"\n"+blob("b", "2026-11-02")+"\n"+blob("c", "2026-11-03")+"\n"), 0o644))
	require.NoError(t, os.WriteFile(fewer, []byte(blob("a", "2026-11-01")+"\n"+blob("c", "2026-11-03")+"\n"), 0o644))

	e := newEnv(t)
	e.mustRun("--source", all)
	code, out, errs := e.kpi("backfill", "--quiet", "--db", e.db, "--data", e.data, "--out", e.out, "--source", fewer, "--from", "2026-11-01", "--to", "2026-11-03")
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "emptied 1 days the source no longer holds: 2026-11-02")

	fresh := newEnv(t)
	fresh.mustRun("--source", fewer)
	got, want := tableFingerprints(t, e), tableFingerprints(t, fresh)
	delete(got, "loaded_days") // its run ids and input hashes differ by how each got there
	delete(want, "loaded_days")
	assert.Equal(t, want, got)
	db := e.open()
	assert.Zero(t, queryInt(t, db.DB, "SELECT count(*) FROM kpi_results WHERE day = '2026-11-02'"))
	assert.Zero(t, queryInt(t, db.DB, "SELECT count(*) FROM loaded_days WHERE day = '2026-11-02'"))
	_, err := os.Stat(filepath.Join(e.data, "raw", "day=2026-11-02"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}

// TestARowIDIsOneBlobAcrossDays delivers the same row id on two days
// (other content: another timestamp) and again on one day with other
// content: one copy is kept, the one on the earliest day, whichever day
// is loaded first, and the conflicting re-deliveries are counted.
func TestARowIDIsOneBlobAcrossDays(t *testing.T) {
	row := func(id, day, lang string) string {
		d, _ := time.Parse(time.DateOnly, day)
		ms := d.Add(9 * time.Hour).UnixMilli()
		return fmt.Sprintf(`{"id":%q,"key":%d,"value":{"timestamp":%d,"lang":%q,"event_stream":[["screen.rp_info",1]]}}`, id, ms, ms, lang)
	}
	dir := t.TempDir()
	write := func(name string, rows ...string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(strings.Join(rows, "\n")+"\n"), 0o644))
		return p
	}
	day1 := write("day1.ndjson", row("x", "2026-11-01", "en"), row("a", "2026-11-01", "en"))
	day2 := write("day2.ndjson", row("x", "2026-11-02", "de"), row("b", "2026-11-02", "en"), row("b", "2026-11-02", "fr"))
	both := write("both.ndjson", row("x", "2026-11-01", "en"), row("a", "2026-11-01", "en"),
		row("x", "2026-11-02", "de"), row("b", "2026-11-02", "en"), row("b", "2026-11-02", "fr"))

	together := newEnv(t)
	together.mustRun("--source", both)
	db := together.open()
	assert.Equal(t, int64(1), queryInt(t, db.DB, "SELECT count(*) FROM sessions WHERE id = 'x'"))
	assert.Equal(t, int64(1), queryInt(t, db.DB, "SELECT count(*) FROM sessions WHERE id = 'x' AND day = '2026-11-01'"))
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT duplicates FROM loaded_days WHERE day = '2026-11-02'"))
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT conflicts FROM loaded_days WHERE day = '2026-11-02'"), "x on another day, b with another lang")
	assertAccounted(t, db.DB, lastRunWithWork(t, db.DB))

	// Day 2 first, then day 1: the same tables, day 2's copy of x removed
	// and its KPIs computed again.
	apart := newEnv(t)
	apart.mustRun("--source", day2)
	apart.mustRun("--source", day1)
	noSource := "(SELECT * EXCLUDE (source) FROM sessions)" // the file names differ
	assert.Equal(t, fingerprint(t, together.open().DB, noSource), fingerprint(t, apart.open().DB, noSource))
	assert.Equal(t, fingerprint(t, together.open().DB, "events"), fingerprint(t, apart.open().DB, "events"))
	// Day 2's profiles are queried after it lost x, in either order.
	for _, p := range []string{"day_event_names", "day_other_values", "day_server_types", "day_sample_rates"} {
		assert.Equal(t, fingerprint(t, together.open().DB, p), fingerprint(t, apart.open().DB, p), p)
	}
	db = apart.open()
	assert.Equal(t, int64(1), queryInt(t, db.DB, `SELECT value FROM kpi_results
		WHERE kpi = 'sign_in_attempts' AND version = 1 AND day = '2026-11-02' AND segmentation = 'Total'`), "day 2 counts b only")
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT conflicts FROM loaded_days WHERE day = '2026-11-02'"))
	assertAccounted(t, db.DB, lastRunWithWork(t, db.DB))
}

// TestKpiDeletesOnlyWhatItCreated points --data at a directory of the
// user's own files, with names like kpi's old temporary ones, and runs:
// none of them is touched. And --data or --db inside the site is refused.
func TestKpiDeletesOnlyWhatItCreated(t *testing.T) {
	e := newEnv(t)
	mine := []string{
		filepath.Join(e.data, ".tmp-photos", "a.jpg"),
		filepath.Join(e.data, ".notes.tmp"),
		filepath.Join(e.data, ".tmp2024.old"),
		filepath.Join(e.data, "raw", "holiday.jpg"), // a raw/ of the user's own
		filepath.Join(e.data, "raw", ".tmp-day=x", "y"),
		filepath.Join(e.data, "projects", ".tmp-build", "z"),
	}
	for _, p := range mine {
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("mine"), 0o644))
	}
	e.mustRun("--from", "2026-11-01", "--to", "2026-11-01", "--per-day", "50")
	e.mustRun("--from", "2026-11-01", "--to", "2026-11-01", "--per-day", "50")
	for _, p := range mine {
		assert.FileExists(t, p)
	}

	for _, args := range [][]string{
		{"--data", filepath.Join(e.out, "data")},
		{"--db", filepath.Join(e.out, "kpi.duckdb")},
		{"--out", filepath.Join(e.data, "site")},
	} {
		code, _, errs := e.kpi(append([]string{"run", "--quiet", "--db", e.db, "--data", e.data, "--out", e.out, "--from", "2026-11-01", "--to", "2026-11-01"}, args...)...)
		assert.Equal(t, exitUsage, code, "%v: %s", args, errs)
		assert.Contains(t, errs, "inside", args)
	}
	assert.FileExists(t, filepath.Join(e.out, "index.html"), "the site is left as it was")
}

// TestOneBadBlobIsRejectedAloneFromEveryKindOfSource serves a blob nested
// 20,000 deep beside a good one over HTTP and in a file, and cuts a
// compressed file and a plain one short: every time the good blob is
// loaded and the bad one rejected alone, never the whole day or run.
func TestOneBadBlobIsRejectedAloneFromEveryKindOfSource(t *testing.T) {
	day := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	ms := day.Add(10 * time.Hour).UnixMilli()
	good := fmt.Sprintf(`{"id":"good","key":%d,"value":{"timestamp":%d,"event_stream":[["screen.rp_info",1]]}}`, ms, ms)
	deep := fmt.Sprintf(`{"id":"deep","key":%d,"value":{"timestamp":%d,"event_stream":%s%s}}`, ms, ms,
		strings.Repeat("[", 20000), strings.Repeat("]", 20000))
	body := "[" + good + "," + deep + "]"
	check := func(t *testing.T, e env, rejected int64) {
		db := e.open()
		assert.Equal(t, int64(1), queryInt(t, db.DB, "SELECT count(*) FROM sessions WHERE id = 'good'"))
		assert.Equal(t, rejected, queryInt(t, db.DB, "SELECT count(*) FROM rejects"))
	}

	t.Run("over HTTP", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start, _ := strconv.ParseInt(r.URL.Query().Get("start"), 10, 64)
			w.Header().Set("Content-Type", "application/json")
			if start <= ms && ms < start+24*3600*1000 {
				io.WriteString(w, body)
				return
			}
			io.WriteString(w, "[]")
		}))
		t.Cleanup(srv.Close)
		e := newEnv(t)
		e.mustRun("--source", srv.URL+"/wsapi/interaction_data", "--from", "2026-11-01", "--to", "2026-11-01")
		check(t, e, 1)
	})
	t.Run("from a file", func(t *testing.T) {
		e := newEnv(t)
		src := filepath.Join(e.dir, "rows.json")
		require.NoError(t, os.WriteFile(src, []byte(body), 0o644))
		e.mustRun("--source", src)
		check(t, e, 1)
	})
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("a file cut short, compressed=%v", gz), func(t *testing.T) {
			e := newEnv(t)
			var text strings.Builder
			for i := range 3000 {
				fmt.Fprintf(&text, `{"id":"g%d","key":%d,"value":{"timestamp":%d,"lang":"l%d","event_stream":[["screen.rp_info",%d]]}}`+"\n", i, ms, ms, i*7919, i)
			}
			var b bytes.Buffer
			if gz {
				zw := gzip.NewWriter(&b)
				zw.Write([]byte(text.String()))
				zw.Close()
				b.Truncate(b.Len() / 2) // cut the compressed stream itself
			} else {
				b.WriteString(text.String()[:text.Len()/2])
			}
			src := filepath.Join(e.dir, "cut.ndjson")
			require.NoError(t, os.WriteFile(src, b.Bytes(), 0o644))
			e.mustRun("--source", src, "--from", "2026-11-01", "--to", "2026-11-01")
			db := e.open()
			assert.Greater(t, queryInt(t, db.DB, "SELECT count(*) FROM sessions"), int64(100), "what came before the cut is loaded")
			assert.Equal(t, int64(1), queryInt(t, db.DB, "SELECT count(*) FROM rejects"), "the element cut is rejected alone")
			assertAccounted(t, db.DB, lastRun(t, db.DB))
		})
	}
}

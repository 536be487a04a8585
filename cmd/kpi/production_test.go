package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// productionBlobs is the hand-written file of rows in the production shape.
var productionBlobs = filepath.Join("..", "..", "testdata", "production", "blobs.ndjson")

// TestProductionFormatLoadsWithoutRejects runs the rows the production
// dialog and server posted: every blob loads, the census entries go to
// server_events (the duplicate counted once), XHR durations and repeat
// counts are kept, and every number adds up.
func TestProductionFormatLoadsWithoutRejects(t *testing.T) {
	e := newEnv(t)
	out := e.mustRun("--source", productionBlobs)
	assert.Contains(t, out, "fetched 10 = loaded 6 + server events 3 + duplicates 1 + rejected 0")
	db := e.open()
	assertAccounted(t, db.DB, lastRun(t, db.DB))
	assert.Zero(t, queryInt(t, db.DB, "SELECT count(*) FROM rejects"))
	assert.Equal(t, int64(3), queryInt(t, db.DB, "SELECT count(DISTINCT id) FROM server_events"))
	assert.Equal(t, int64(1), queryInt(t, db.DB, `SELECT count(*) FROM server_events
		WHERE type = 'complete_user_creation.success' AND day = '2013-11-05' AND os = 'Android' AND rp = 'https://shop.example.com'`))
	assert.Equal(t, int64(1), queryInt(t, db.DB, "SELECT count(*) FROM server_events WHERE idp = 'mail.example.net'"))

	// A folded poll: its duration and its repeat count.
	var dur, rep int64
	require.NoError(t, db.QueryRow(`SELECT e.duration_ms, e.repeat_count FROM events e JOIN sessions s USING (day, session)
		WHERE s.id = 'p-02' AND name = 'xhr_complete.GET/wsapi/user_creation_status'`).Scan(&dur, &rep))
	assert.Equal(t, int64(95), dur)
	assert.Equal(t, int64(31), rep)
	assert.Equal(t, int64(268), queryInt(t, db.DB, `SELECT e.duration_ms FROM events e JOIN sessions s USING (day, session)
		WHERE s.id = 'p-01' AND name = 'xhr_complete.GET/wsapi/session_context'`))
	assert.Zero(t, queryInt(t, db.DB, `SELECT count(*) FROM events WHERE NOT starts_with(name, 'xhr')
		AND (duration_ms IS NOT NULL OR repeat_count IS NOT NULL)`), "two-element events have neither")
	// Stream order is kept: user.can_interact (4120) was recorded before
	// screen.authenticate (4100), so the latter's delta is negative.
	assert.Equal(t, int64(-20), queryInt(t, db.DB, `SELECT delta_ms FROM events e JOIN sessions s USING (day, session)
		WHERE s.id = 'p-02' AND name = 'screen.authenticate'`))
	// The query strings are gone from the names, which the sessions' lists
	// and the day profiles repeat.
	assert.Equal(t, int64(2), queryInt(t, db.DB, `SELECT count(*) FROM events e JOIN sessions s USING (day, session)
		WHERE s.id = 'p-05' AND name IN ('xhr./wsapi/address_info', 'xhr./wsapi/user_creation_status')`))
	assert.Equal(t, int64(1), queryInt(t, db.DB, `SELECT sessions FROM day_event_names
		WHERE day = '2012-11-20' AND name = 'xhr./wsapi/user_creation_status'`))
}

// TestNoEmailAddressIsStoredOrPublished looks for the addresses the
// 2012 rows carry in every text column of every table, in every Parquet
// file and in every page of the site; only the raw landing keeps them.
func TestNoEmailAddressIsStoredOrPublished(t *testing.T) {
	e := newEnv(t)
	e.mustRun("--source", productionBlobs)
	// The same rows, cut off: a rejected blob keeps its raw text.
	broken := filepath.Join(e.dir, "broken.ndjson")
	b, err := os.ReadFile(productionBlobs)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	last := lines[len(lines)-2] // p-05
	require.NoError(t, os.WriteFile(broken, []byte(strings.Replace(last, `"p-05"`, `"p-05-broken"`, 1)[:len(last)-40]+"\n"), 0o644))
	e.mustRun("--source", broken)

	secrets := []string{"jane.doe", "bob@example.org", "%40mail.example.com"}
	db := e.open()
	rows, err := db.Query(`SELECT table_name, column_name FROM information_schema.columns
		WHERE data_type IN ('VARCHAR', 'VARCHAR[]') AND table_schema = 'main'`)
	require.NoError(t, err)
	type col struct{ table, column string }
	var cols []col
	for rows.Next() {
		var c col
		require.NoError(t, rows.Scan(&c.table, &c.column))
		cols = append(cols, c)
	}
	require.NoError(t, rows.Err())
	rows.Close()
	require.NotEmpty(t, cols)
	for _, c := range cols {
		for _, s := range secrets {
			n := queryInt(t, db.DB, `SELECT count(*) FROM "`+c.table+`" WHERE CAST("`+c.column+`" AS VARCHAR) LIKE ?`, "%"+s+"%")
			assert.Zero(t, n, "%s.%s holds %q", c.table, c.column, s)
		}
	}
	assert.Equal(t, int64(1), queryInt(t, db.DB, "SELECT count(*) FROM rejects WHERE raw LIKE '%<email>%'"), "the reject keeps its text, masked")

	err = filepath.WalkDir(e.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, string(filepath.Separator)+"raw"+string(filepath.Separator)) ||
			strings.HasSuffix(p, ".ndjson") || strings.HasSuffix(p, ".duckdb") {
			return err
		}
		text := string(readAll(t, p))
		if strings.HasSuffix(p, ".parquet") {
			// Compressed: read it back through DuckDB.
			text = parquetText(t, db.DB, p)
		}
		for _, s := range secrets {
			assert.NotContains(t, text, s, p)
		}
		return nil
	})
	require.NoError(t, err)
}

func readAll(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return b
}

// parquetText is every row of a Parquet file as text, read by an
// in-memory DuckDB (kpi's own readers may not read files).
func parquetText(t *testing.T, _ *sql.DB, p string) string {
	t.Helper()
	mem, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	defer mem.Close()
	var text sql.NullString
	require.NoError(t, mem.QueryRow(`SELECT string_agg(CAST(t AS VARCHAR), '\n') FROM read_parquet(?) t`, p).Scan(&text))
	return text.String
}

// TestVersionOneReadsOnlyEventNames runs the production rows and the same
// rows cut to [name, offset] into two stores: every version 1 result is
// the same, as the original dashboard read only each event's name. The
// exception is xhr_latency, which measures the third element itself: the
// pairs have none, so it has rows on the production rows only.
func TestVersionOneReadsOnlyEventNames(t *testing.T) {
	results := func(src string) map[string]string {
		e := newEnv(t)
		e.mustRun("--source", src)
		db := e.open()
		rows, err := db.Query(`SELECT kpi, day, segmentation, segment, step, value, numerator, denominator
			FROM kpi_results WHERE version = 1`)
		require.NoError(t, err)
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var kpi, seg, segment, step string
			var day time.Time
			var v float64
			var num, den sql.NullFloat64
			require.NoError(t, rows.Scan(&kpi, &day, &seg, &segment, &step, &v, &num, &den))
			out[fmt.Sprintf("%s %s %s/%s %s", kpi, day.Format(time.DateOnly), seg, segment, step)] = fmt.Sprintf("%v %v %v", v, num, den)
		}
		require.NoError(t, rows.Err())
		return out
	}
	full := results(productionBlobs)
	pairs := results(filepath.Join("..", "..", "testdata", "production", "pairs.ndjson"))
	require.NotEmpty(t, full)
	durations := 0
	for k := range full {
		if strings.HasPrefix(k, "xhr_latency ") {
			delete(full, k)
			durations++
		}
	}
	assert.NotZero(t, durations, "xhr_latency has rows on the production rows")
	assert.Equal(t, pairs, full)
	for _, kpi := range []string{"sign_in_attempts", "new_user_flow", "general_progress", "new_users", "bounce_rate"} {
		assert.Contains(t, fmt.Sprint(keys(full)), kpi+" 2013-11-05 Total/Total", kpi)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

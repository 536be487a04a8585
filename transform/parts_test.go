package transform_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/store"
	"github.com/persona-kpi/kpi/transform"
)

// generatedDay is n generated rows of day as a transform input: from
// 2013-10-01 on, the server's census entries come too.
func generatedDay(tb testing.TB, day time.Time, n int) transform.Input {
	tb.Helper()
	var buf bytes.Buffer
	err := generate.Generator{Seed: 1, PerDay: n}.FirstRows(day, day.AddDate(0, 0, 1), n, func(row []byte) error {
		buf.Write(row)
		return buf.WriteByte('\n')
	})
	if err != nil {
		tb.Fatal(err)
	}
	return transform.Input{Name: "generated.ndjson", Source: "test", Lines: true,
		Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil }}
}

// TestPartsHandOverExactlyTheParquetRows transforms generated days with
// census entries, rejects and duplicates in small parts: the parts hold
// each element's rows once, no part more than PartBlobs elements, and
// inserted into DuckDB they are exactly the day's Parquet.
func TestPartsHandOverExactlyTheParquetRows(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2013, 11, 5, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	const per = 300
	var parts []transform.Part
	st, err := transform.TransformDay(ctx, transform.Options{Day: day, Inputs: []transform.Input{generatedDay(t, day, 2500)},
		OutDir: dir, Config: config.Default(), PartBlobs: per,
		Parts: func(p transform.Part) error { parts = append(parts, p); return nil }})
	require.NoError(t, err)
	require.Positive(t, st.ServerEvents)
	require.Positive(t, st.Rejected)
	require.Positive(t, st.Duplicates)
	assert.GreaterOrEqual(t, len(parts), int(st.Fetched/per))

	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "p.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	restore, err := db.SetThreads(ctx, 1)
	require.NoError(t, err)
	defer restore()
	tx, err := db.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback()
	for _, p := range parts {
		var elements int64
		for _, tr := range p {
			n, err := tx.InsertArrow(ctx, tr.Table, tr.Records)
			require.NoError(t, err)
			if tr.Table != "events" && tr.Table != "event_lists" {
				elements += n
			}
		}
		assert.LessOrEqual(t, elements, int64(per), "a part holds at most PartBlobs elements")
		p.Release()
	}
	require.NoError(t, tx.Commit())

	s := transform.Staging{Dir: dir}
	for table, path := range map[string]string{"sessions": s.SessionsPath(day), "events": s.EventsPath(day),
		"event_lists": s.EventListsPath(day), "rejects": s.RejectsPath(day), "server_events": s.ServerEventsPath(day)} {
		var cols []string
		rows, err := db.Query(`SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position`, table)
		require.NoError(t, err)
		for rows.Next() {
			var c string
			require.NoError(t, rows.Scan(&c))
			cols = append(cols, `"`+c+`"`)
		}
		require.NoError(t, rows.Close())
		list := strings.Join(cols, ", ")
		var n, onlyParts, onlyParquet int64
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM `+table).Scan(&n))
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM (SELECT `+list+` FROM `+table+
			` EXCEPT ALL SELECT `+list+` FROM read_parquet('`+path+`'))`).Scan(&onlyParts))
		require.NoError(t, db.QueryRow(`SELECT count(*) FROM (SELECT `+list+` FROM read_parquet('`+path+
			`') EXCEPT ALL SELECT `+list+` FROM `+table+`)`).Scan(&onlyParquet))
		assert.Positive(t, n, table)
		assert.Zero(t, onlyParts, table)
		assert.Zero(t, onlyParquet, table)
	}
}

// TestAFailedHandOverStopsTheDay: when the receiver of the parts fails,
// the day fails as a failed input does, and its previous files stay.
func TestAFailedHandOverStopsTheDay(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2013, 6, 3, 0, 0, 0, 0, time.UTC)
	dir := t.TempDir()
	o := transform.Options{Day: day, Inputs: []transform.Input{generatedDay(t, day, 1000)}, OutDir: dir, Config: config.Default(), PartBlobs: 100}
	_, err := transform.TransformDay(ctx, o)
	require.NoError(t, err)
	s := transform.Staging{Dir: dir}
	before, err := os.ReadFile(s.StatsPath(day))
	require.NoError(t, err)

	full := errors.New("store full")
	handed := 0
	o.Inputs = []transform.Input{generatedDay(t, day, 500)}
	o.Parts = func(p transform.Part) error {
		p.Release()
		if handed++; handed == 2 {
			return full
		}
		return nil
	}
	_, err = transform.TransformDay(ctx, o)
	require.ErrorIs(t, err, full)
	assert.Contains(t, err.Error(), "transform day 2013-06-03: hand over rows: store full")
	assert.Equal(t, 2, handed)
	after, err := os.ReadFile(s.StatsPath(day))
	require.NoError(t, err)
	assert.Equal(t, before, after)
	_, err = s.ReadStats(day)
	require.NoError(t, err, "the previous files are intact")
	leftovers, err := filepath.Glob(filepath.Join(dir, ".*"))
	require.NoError(t, err)
	for _, l := range leftovers {
		assert.Equal(t, ".kpi-staging", filepath.Base(l), "no temporary file is left")
	}
}

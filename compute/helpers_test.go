package compute

import (
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/store"
)

// openDB opens a fresh DuckDB file as every writing kpi command does,
// with store.Open, which applies the migrations.
func openDB(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "kpi.duckdb"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

// date parses YYYY-MM-DD.
func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.DateOnly, s)
	require.NoError(t, err)
	return d
}

// row is a KPIggybank row holding a blob of day (YYYY-MM-DD) whose
// user_agent names os (none if "") and whose stream has the events, one
// every 100 ms.
func row(id, day, os string, events ...string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(err)
	}
	ts := d.Add(10 * time.Hour).UnixMilli()
	stream := make([][]any, len(events))
	for i, e := range events {
		stream[i] = []any{e, i * 100}
	}
	blob := map[string]any{"timestamp": ts, "event_stream": stream}
	if os != "" {
		blob["user_agent"] = map[string]string{"os": os}
	}
	b, err := json.Marshal(map[string]any{"id": id, "key": ts, "value": blob})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// loadRows loads KPIggybank rows as kpi does: each of their days through
// transform and load, replacing that day.
func loadRows(t *testing.T, db *store.DB, rows ...string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rows.ndjson")
	require.NoError(t, os.WriteFile(path, []byte(strings.Join(rows, "\n")+"\n"), 0o644))
	loadBlobs(t, db, path, config.Default())
}

// resultRow is one kpi_results row, NULLs as nil.
type resultRow struct {
	KPI          string
	Version      int
	Day          string
	Segmentation string
	Segment      string
	Step         string
	Value        float64
	Numerator    *float64
	Denominator  *float64
	// Lo, Hi and N are the 95% interval and the sampled blobs behind the
	// value, nil where NULL (a version that describes the sample).
	Lo, Hi *float64
	N      *int64
	// interval says that an expected row gives Lo, Hi and N (expected.csv
	// with those columns), so they are compared too.
	interval bool
}

// results reads kpi_results in a stable order, optionally for one KPI.
func results(t *testing.T, db *store.DB, kpi string) []resultRow {
	t.Helper()
	rows, err := db.Query(`SELECT kpi, version, day::VARCHAR, segmentation, segment, step, value, numerator, denominator, lo, hi, n
		FROM kpi_results WHERE ? = '' OR kpi = ?
		ORDER BY kpi, version, day, segmentation, segment, step`, kpi, kpi)
	require.NoError(t, err)
	defer rows.Close()
	var out []resultRow
	for rows.Next() {
		var r resultRow
		var num, den, lo, hi sql.NullFloat64
		var n sql.NullInt64
		require.NoError(t, rows.Scan(&r.KPI, &r.Version, &r.Day, &r.Segmentation, &r.Segment, &r.Step, &r.Value, &num, &den, &lo, &hi, &n))
		r.Numerator, r.Denominator, r.Lo, r.Hi = nullable(num), nullable(den), nullable(lo), nullable(hi)
		if n.Valid {
			r.N = &n.Int64
		}
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}

func nullable(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	return &f.Float64
}

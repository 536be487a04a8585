package load

import (
	"bytes"
	"context"
	"flag"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/store"
	"github.com/persona-kpi/kpi/transform"
)

var (
	benchPerDay = flag.Int("per-day", 50_000, "blobs a day BenchmarkLoadDays transforms and loads")
	benchDays   = flag.Int("days", 3, "days BenchmarkLoadDays loads")
)

// BenchmarkLoadDays loads days of generated blobs from their Parquet into
// a fresh DuckDB file, as the load stage does, e.g.
//
//	go test ./load -run '^$' -bench LoadDays -per-day 200000 -days 5
func BenchmarkLoadDays(b *testing.B) {
	ctx := context.Background()
	pq := b.TempDir()
	start := time.Date(2013, 6, 3, 0, 0, 0, 0, time.UTC)
	var days []time.Time
	var blobs int64
	for i := range *benchDays {
		day := start.AddDate(0, 0, i)
		var buf bytes.Buffer
		err := generate.Generator{Seed: 1, PerDay: *benchPerDay}.FirstRows(day, day.AddDate(0, 0, 1), *benchPerDay, func(row []byte) error {
			buf.Write(row)
			return buf.WriteByte('\n')
		})
		if err != nil {
			b.Fatal(err)
		}
		in := transform.Input{Name: "generated", Source: "bench", Lines: true,
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(buf.Bytes())), nil }}
		st, err := transform.TransformDay(ctx, transform.Options{Day: day, Inputs: []transform.Input{in}, OutDir: pq, Config: config.Default()})
		if err != nil {
			b.Fatal(err)
		}
		blobs += st.Fetched
		days = append(days, day)
	}
	b.ResetTimer()
	for i := range b.N {
		db, err := store.Open(ctx, filepath.Join(b.TempDir(), "kpi.duckdb"))
		if err != nil {
			b.Fatal(err)
		}
		for _, d := range days {
			if _, err := Day(ctx, db, int64(i+1), transform.Staging{Dir: pq}, d, "bench"); err != nil {
				b.Fatal(err)
			}
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(blobs)*float64(b.N)/b.Elapsed().Seconds(), "blobs/s")
}

package reports

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/store"
)

// BenchmarkBuildDB renders the site from the database KPI_BENCH_DB names
// (for instance a copy of kpibench's 90-day history): the real shape of
// a report, for profiling, the database opened each time as kpi report
// opens it. Skipped without it.
func BenchmarkBuildDB(b *testing.B) {
	path := os.Getenv("KPI_BENCH_DB")
	if path == "" {
		b.Skip("KPI_BENCH_DB names no database")
	}
	ctx := context.Background()
	opt := Options{Config: config.Default(), GeneratedAt: time.Date(2024, 5, 31, 6, 0, 0, 0, time.UTC)}
	var size int
	for b.Loop() {
		// Opened each time, as kpi report does: the first reads of a
		// database are the slow ones.
		r, err := store.OpenReadOnly(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		files, err := Build(ctx, r.DB, opt)
		r.Close()
		if err != nil {
			b.Fatal(err)
		}
		size = 0
		for _, f := range files {
			size += len(f)
		}
	}
	b.ReportMetric(float64(size)/1e6, "MB/site")
}

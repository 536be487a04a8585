package reports

import (
	"context"
	"testing"
	"time"
)

// BenchmarkBuild renders the whole site from 90 days of results for every
// KPI, segmentation and segment: kpi report must stay under 2 s.
func BenchmarkBuild(b *testing.B) {
	db := newFixtureDB(b, fixture{days: 90})
	opt := testOptions()
	ctx := context.Background()
	var rows int
	if err := db.QueryRow(`SELECT count(*) FROM kpi_results`).Scan(&rows); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	var size int
	for b.Loop() {
		start := time.Now()
		files, err := Build(ctx, db, opt)
		if err != nil {
			b.Fatal(err)
		}
		if d := time.Since(start); d > 2*time.Second {
			b.Errorf("Build took %v, over the 2 s budget", d)
		}
		size = 0
		for _, f := range files {
			size += len(f)
		}
	}
	b.ReportMetric(float64(size)/1e6, "MB/site")
	b.ReportMetric(float64(rows), "results")
}

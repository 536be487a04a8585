package extract

import (
	"bufio"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/extract/generate"
)

// benchDay is a Monday in Persona's busy years.
var benchDay = time.Date(2013, 6, 3, 0, 0, 0, 0, time.UTC)

// writeGenerated writes n generated KPIggybank rows of one day to an NDJSON
// file and returns its size.
func writeGenerated(b *testing.B, path string, n int) int64 {
	b.Helper()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	var size int64
	g := generate.Generator{Seed: 1, PerDay: n}
	err = g.FirstRows(benchDay, benchDay.AddDate(0, 0, 1), n, func(row []byte) error {
		size += int64(len(row)) + 1
		w.Write(row)
		return w.WriteByte('\n')
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	return size
}

// BenchmarkExtractFiles lands one day of generated rows from an NDJSON
// file: day routing, the spool and the compressed landing copy.
func BenchmarkExtractFiles(b *testing.B) {
	const rows = 100_000
	dir := b.TempDir()
	src := filepath.Join(dir, "rows.ndjson")
	size := writeGenerated(b, src, rows)
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		res, err := Files{Paths: []string{src}}.Land(b.Context(), Landing{Dir: filepath.Join(dir, "data")}, Request{})
		if err != nil || res.Elements != rows {
			b.Fatalf("%+v %v", res, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "blobs/s")
}

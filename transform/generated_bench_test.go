package transform_test

import (
	"bytes"
	"context"
	"io"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/transform"
)

var genDay = time.Date(2013, 6, 3, 0, 0, 0, 0, time.UTC)

// generatedNDJSON is n rows of the built-in generator for genDay, one per
// line: the realistic mix of flows, quirks, duplicates and rejects.
func generatedNDJSON(tb testing.TB, n int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	g := generate.Generator{Seed: 1, PerDay: n}
	err := g.FirstRows(genDay, genDay.AddDate(0, 0, 1), n, func(row []byte) error {
		buf.Write(row)
		return buf.WriteByte('\n')
	})
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkTransformGenerated transforms one day of generated rows held in
// memory: parsing, validation, normalization, Arrow and Parquet, without
// the landing copy's decompression.
func BenchmarkTransformGenerated(b *testing.B) {
	const blobs = 100_000
	data := generatedNDJSON(b, blobs)
	in := transform.Input{Name: "generated.ndjson", Source: "bench", Lines: true, Open: func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
	o := transform.Options{Day: genDay, Inputs: []transform.Input{in}, OutDir: b.TempDir(), Config: config.Default()}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		st, err := transform.TransformDay(context.Background(), o)
		if err != nil || st.Fetched != blobs {
			b.Fatalf("stats %+v, err %v", st, err)
		}
	}
	b.ReportMetric(float64(blobs)*float64(b.N)/b.Elapsed().Seconds(), "blobs/s")
}

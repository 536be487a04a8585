package blob_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/blob"
	"github.com/persona-kpi/kpi/extract/generate"
)

// BenchmarkElementDay is extract's per-element work for a file source:
// validate the element and find its day, over 20,000 rows of the built-in
// generator (the realistic mix of flows, quirks, duplicates and rejects).
func BenchmarkElementDay(b *testing.B) {
	day := time.Date(2013, 6, 3, 0, 0, 0, 0, time.UTC)
	var rows [][]byte
	var size int64
	g := generate.Generator{Seed: 1, PerDay: 20_000}
	err := g.FirstRows(day, day.AddDate(0, 0, 1), g.PerDay, func(row []byte) error {
		rows = append(rows, bytes.Clone(row))
		size += int64(len(row)) + 1 // as NDJSON
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		for _, r := range rows {
			blob.ElementDay(r)
		}
	}
}

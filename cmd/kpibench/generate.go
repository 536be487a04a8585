package main

import (
	"bufio"
	"fmt"
	"os"
	"time"

	"github.com/persona-kpi/kpi/extract/generate"
)

// genInfo describes a generated input file.
type genInfo struct {
	Path     string
	Blobs    int64
	Bytes    int64
	From, To time.Time // first and last day holding blobs
}

// writeRows writes n KPIggybank rows, one per line, from the built-in
// generator: about n/days a day from start on, the last day cut where n
// is reached.
func writeRows(path string, n int64, days int, seed int64, start time.Time) (genInfo, error) {
	info := genInfo{Path: path}
	f, err := os.Create(path)
	if err != nil {
		return info, err
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	g := generate.Generator{Seed: seed, PerDay: int(max(1, n/int64(max(days, 1))))}
	for day := start; info.Blobs < n; day = day.AddDate(0, 0, 1) {
		if day.Sub(start) > 3650*24*time.Hour {
			return info, fmt.Errorf("generate: %d rows not reached in ten years", n)
		}
		before := info.Blobs
		err := g.FirstRows(day, day.AddDate(0, 0, 1), int(n-info.Blobs), func(row []byte) error {
			info.Blobs++
			info.Bytes += int64(len(row)) + 1
			if _, err := w.Write(row); err != nil {
				return err
			}
			return w.WriteByte('\n')
		})
		if err != nil {
			return info, err
		}
		if info.Blobs > before {
			if info.From.IsZero() {
				info.From = day
			}
			info.To = day
		}
	}
	if err := w.Flush(); err != nil {
		return info, err
	}
	return info, f.Close()
}

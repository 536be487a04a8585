package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/extract"
	"github.com/persona-kpi/kpi/load"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/transform"
)

func (o options) landing() extract.Landing { return extract.Landing{Dir: o.cfg.Data} }

func (o options) parquetDir() string { return filepath.Join(o.cfg.Data, "parquet") }

// sourceName is the configured source without credentials.
func (o options) sourceName() string {
	switch sourceKind(o.cfg.Source) {
	case "files":
		return extract.FileSourceName([]string{o.cfg.Source})
	default:
		src, err := o.windowSource()
		if err != nil {
			return "invalid source"
		}
		return src.Name()
	}
}

// extractStage lands days from the configured source and returns them in
// order: the given days for a windowed source, the days the files contain
// (within --from/--to) for a file source.
func extractStage(ctx context.Context, o options, days []time.Time) ([]time.Time, error) {
	start := time.Now()
	var res extract.Result
	var err error
	if sourceKind(o.cfg.Source) == "files" {
		res, err = extract.ExtractFiles(ctx, o.landing(), []string{o.cfg.Source}, extract.FileDays{From: o.from, To: o.to}, o.log)
		if err == nil && res.Skipped > 0 {
			o.log.Info("file elements outside the requested days were skipped", "skipped", res.Skipped)
		}
	} else {
		var src extract.WindowSource
		if src, err = o.windowSource(); err != nil {
			return nil, err
		}
		res, err = extract.ExtractWindows(ctx, o.landing(), src, days, o.cfg.HTTP.WindowHours, o.log)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return nil, err
		}
		return nil, sourceError(err)
	}
	o.log.Info("extract done", "days", dayRange(res.Days), "units", res.Units, "mb", fmt.Sprintf("%.1f", float64(res.Bytes)/1e6), "elapsed", time.Since(start).Round(time.Millisecond))
	return res.Days, nil
}

// transformStage builds the Parquet of each landed day.
func transformStage(ctx context.Context, o options, days []time.Time) (persona.Counts, error) {
	start := time.Now()
	var total persona.Counts
	var bytes int64
	defer o.progress.clear()
	for i, day := range days {
		inputs, size, err := landedInputs(o.landing(), day)
		if err != nil {
			return total, err
		}
		st, err := transform.TransformDay(ctx, transform.Options{Day: day, Inputs: inputs, OutDir: o.parquetDir(), Config: o.cfg})
		if err != nil {
			return total, err
		}
		total = total.Add(st.Counts)
		bytes += size
		o.progress.update("transform", i+1, len(days), total.Fetched, bytes)
		o.log.Debug("transformed", "day", day.Format(time.DateOnly), "fetched", st.Fetched, "loaded", st.Loaded, "duplicates", st.Duplicates, "rejected", st.Rejected)
	}
	o.progress.clear()
	o.log.Info("transform done", "days", dayRange(days), "fetched", total.Fetched, "loaded", total.Loaded,
		"duplicates", total.Duplicates, "rejected", total.Rejected, "elapsed", time.Since(start).Round(time.Millisecond))
	return total, nil
}

// landedInputs lists a landed day's units as transform inputs, with their
// compressed size.
func landedInputs(l extract.Landing, day time.Time) ([]transform.Input, int64, error) {
	m, err := l.Manifest(day)
	if err != nil {
		return nil, 0, err
	}
	var size int64
	inputs := make([]transform.Input, 0, len(m.Units))
	for _, u := range m.Units {
		size += u.Bytes
		u := u
		inputs = append(inputs, transform.Input{
			Name:   filepath.ToSlash(filepath.Join("raw", "day="+m.Day, u.File)),
			Source: m.Source,
			Open:   func() (io.ReadCloser, error) { return l.Open(day, u) },
			Lines:  u.Kind == extract.KindLines,
		})
	}
	return inputs, size, nil
}

// inputHash identifies everything a day's tables are built from: the
// landed text and its source, the configuration that shapes segments, and
// the transform's format. Equal hashes give equal tables.
func inputHash(o options, day time.Time) (string, error) {
	m, err := o.landing().Manifest(day)
	if err != nil {
		return "", err
	}
	shaping, err := json.Marshal([]any{o.cfg.Segmentations, o.cfg.Aliases, o.cfg.Flows})
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "format %d\nsource %s\ncontent %s\nconfig %s\n", transform.FormatVersion, m.Source, m.ContentHash(), shaping)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// loadStage replaces each day in the database.
func loadStage(ctx context.Context, o options, db *load.DB, runID int64, days []time.Time, hashes map[time.Time]string) (persona.Counts, error) {
	start := time.Now()
	var total persona.Counts
	defer o.progress.clear()
	for i, day := range days {
		c, err := db.LoadDay(ctx, runID, o.parquetDir(), day, hashes[day])
		if err != nil {
			return total, err
		}
		total = total.Add(c)
		o.progress.update("load", i+1, len(days), total.Loaded, 0)
	}
	o.progress.clear()
	o.log.Info("load done", "days", dayRange(days), "loaded", total.Loaded, "elapsed", time.Since(start).Round(time.Millisecond))
	return total, nil
}

// cleanLeftovers removes the temporary files and directories that a killed
// run leaves in the data directory (".tmp-…", ".spool-…", "….old",
// ".….tmp"). Only the holder of the database lock calls it, so no other
// run is writing them.
func cleanLeftovers(o options) error {
	return filepath.WalkDir(o.cfg.Data, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		name := d.Name()
		leftover := strings.HasPrefix(name, ".tmp-") || strings.HasPrefix(name, ".spool-") ||
			(strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp")) ||
			(strings.HasPrefix(name, ".tmp") && strings.HasSuffix(name, ".old"))
		if !leftover || path == o.cfg.Data {
			return nil
		}
		o.log.Info("removing what an interrupted run left", "path", path)
		if err := os.RemoveAll(path); err != nil {
			return err
		}
		if d.IsDir() {
			return filepath.SkipDir
		}
		return nil
	})
}

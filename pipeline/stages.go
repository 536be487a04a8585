package pipeline

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/persona-kpi/kpi/compute"
	"github.com/persona-kpi/kpi/extract"
	"github.com/persona-kpi/kpi/load"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/reports"
	kpisql "github.com/persona-kpi/kpi/sql"
	"github.com/persona-kpi/kpi/store"
	"github.com/persona-kpi/kpi/transform"
)

func (o Options) landing() extract.Landing { return extract.Landing{Dir: o.Config.Data} }

func (o Options) staging() transform.Staging {
	return transform.Staging{Dir: filepath.Join(o.Config.Data, "parquet")}
}

// Extract lands days from the configured source and returns the days
// landed, in order: the given days for a windowed source, the days the
// files hold (within From..To) for a file source. A source that fails is
// a SourceError.
func Extract(ctx context.Context, o Options, days []time.Time) (extract.Result, error) {
	o = o.withDefaults()
	start := time.Now()
	src, err := o.source()
	if err != nil {
		return extract.Result{}, err
	}
	res, err := src.Land(ctx, o.landing(), extract.Request{Days: days, From: o.From, To: o.To, Now: o.Now()})
	if err != nil {
		if errors.Is(err, context.Canceled) || localWriteFailed(err) {
			return res, err
		}
		return res, SourceError{err}
	}
	if res.Skipped > 0 {
		o.Log.Info("file elements outside the requested days were skipped", "skipped", res.Skipped)
	}
	o.Log.Info("extract done", "days", DayRange(res.Days), "units", res.Units, "mb", fmt.Sprintf("%.1f", float64(res.Bytes)/1e6), "elapsed", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// localWriteFailed tells an error of this machine's storage (a full disk,
// a quota, a read-only file system) from one of the source's.
func localWriteFailed(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EROFS)
}

// LandedDays is the landed days within From..To; none is a UsageError.
func LandedDays(o Options) ([]time.Time, error) {
	o = o.withDefaults()
	all, err := o.landing().Days()
	if err != nil {
		return nil, err
	}
	days := o.within(all)
	if len(days) == 0 {
		return nil, UsageError{fmt.Errorf("no extracted days in %s for that range: run `kpi extract` first", o.landing().RawDir())}
	}
	if !o.From.IsZero() && !o.To.IsZero() {
		if missing := len(persona.Days(o.From, o.To)) - len(days); missing > 0 {
			o.Log.Warn("some days of the range were never extracted", "missing", missing)
		}
	}
	return days, nil
}

// Transform builds the Parquet of each landed day.
func Transform(ctx context.Context, o Options, days []time.Time) (persona.Counts, error) {
	o = o.withDefaults()
	start := time.Now()
	var total persona.Counts
	var bytes int64
	defer o.Progress.Clear()
	for i, day := range days {
		st, size, err := transformDay(ctx, o, day, nil)
		if err != nil {
			return total, err
		}
		total = total.Add(st.Counts)
		bytes += size
		o.Progress.Update("transform", i+1, len(days), total.Fetched, bytes)
	}
	o.Progress.Clear()
	logTransformed(o, days, total, start)
	return total, nil
}

// partBlobs is the size of the parts transform hands to the load in
// transformAndLoad (0: transform.DefaultPartBlobs); benchmarks vary it.
var partBlobs = 0

// transformDay builds one landed day's Parquet, handing its rows to parts
// as well when that is set; size is the landed bytes read.
func transformDay(ctx context.Context, o Options, day time.Time, parts func(transform.Part) error) (transform.Stats, int64, error) {
	inputs, size, err := landedInputs(o.landing(), day)
	if err != nil {
		return transform.Stats{}, 0, err
	}
	st, err := transform.TransformDay(ctx, transform.Options{Day: day, Inputs: inputs, OutDir: o.staging().Dir, Config: o.Config, Now: o.Now,
		Parts: parts, PartBlobs: partBlobs})
	if err != nil {
		return st, 0, err
	}
	o.Log.Debug("transformed", "day", day.Format(time.DateOnly), "fetched", st.Fetched, "loaded", st.Loaded,
		"server_events", st.ServerEvents, "duplicates", st.Duplicates, "rejected", st.Rejected)
	return st, size, nil
}

func logTransformed(o Options, days []time.Time, total persona.Counts, start time.Time) {
	o.Log.Info("transform done", "days", DayRange(days), "fetched", total.Fetched, "loaded", total.Loaded,
		"server_events", total.ServerEvents, "duplicates", total.Duplicates, "rejected", total.Rejected,
		"elapsed", time.Since(start).Round(time.Millisecond))
}

// ingestGoHeap is the Go heap the fused ingest aims to stay within. Its
// live heap (the parts in flight, the Parquet row groups being written)
// is about 150-180 MB, and at the default GOGC the heap grows to twice
// that before a collection; beside DuckDB's 512 MB that made the peak
// RSS 1.0 GiB at 3M blobs. With this soft limit the collector runs
// earlier and the peak stays at 0.86 GiB.
const ingestGoHeap = 256 << 20

// ingestDuckDBMemory is DuckDB's memory limit during the fused ingest,
// where it appends rows and, at each day's commit, probes the history's
// id hashes. Under the writer's 512 MB it kept the blocks it wrote
// cached up to that limit, so the peak RSS grew with the days loaded
// until the cache was full (0.56 GiB at 1M blobs, 0.84 at 3M and 5M).
// 256 MB keeps a day of 1M blobs loading as before; compute lowers its
// limit too (compute.chunkMemoryLimit).
const ingestDuckDBMemory = "256MB"

// transformAndLoad transforms and loads days in order, without reading
// the Parquet back: transform (Go, on its own goroutine) hands each day's
// rows over as Arrow records in parts of a bounded number of elements,
// and DuckDB inserts a part while the next is built, so the two keep both
// cores busy. Every part of a day goes into that day's one transaction,
// committed once the day's Parquet is in place; a transform that fails
// or is cancelled rolls it back. At most two parts wait, so memory stays
// that of a few parts whatever the size of a day.
func transformAndLoad(ctx context.Context, o Options, db *store.DB, runID int64, days []time.Time, hashes map[time.Time]string) (transformed, loaded persona.Counts, err error) {
	start := time.Now()
	// One DuckDB thread while Go transforms on the other cores: DuckDB
	// then appends each part straight into the day's storage, where two
	// threads insert every record of a part as a batch of its own and
	// merge the batches afterwards, and spin while they wait
	// (duckdb#22178). Measured on 1M blobs: 25 CPU-s instead of 36.
	restore, err := db.SetThreads(ctx, 1)
	if err != nil {
		return transformed, loaded, err
	}
	defer restore()
	// A limit DuckDB cannot free enough to lower to is left as it is.
	if restoreMemory, err := db.SetMemoryLimit(ctx, ingestDuckDBMemory); err != nil {
		o.Log.Warn("DuckDB's memory limit stays as it was for the load", "err", err)
	} else {
		defer restoreMemory()
	}
	previousLimit := debug.SetMemoryLimit(-1)
	debug.SetMemoryLimit(min(previousLimit, ingestGoHeap)) // a lower GOMEMLIMIT stands
	defer debug.SetMemoryLimit(previousLimit)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// What the transformer sends: a part of a day's rows, or the end of
	// the day (its stats, or why it failed).
	type message struct {
		day  time.Time
		part transform.Part
		end  bool
		st   transform.Stats
		err  error
	}
	// Two parts may wait: the two sides' paces vary from part to part
	// (a part of rejects is quick to parse and slow to store), and with
	// no slack each waited for the other. Measured on 1M blobs: 9.7 s
	// instead of 10.5, for 0.02 GiB more at the peak; more slack gained
	// nothing.
	ch := make(chan message, 2)
	go func() {
		defer close(ch)
		for _, day := range days {
			st, _, err := transformDay(ctx, o, day, func(p transform.Part) error {
				select {
				case ch <- message{day: day, part: p}:
					return nil
				case <-ctx.Done():
					p.Release()
					return ctx.Err()
				}
			})
			ch <- message{day: day, end: true, st: st, err: err}
			if err != nil {
				return
			}
		}
	}()
	// Whatever ends the loop, the transformer is stopped and waited for,
	// and the day in progress rolled back.
	var in *load.Ingest
	defer func() {
		cancel()
		for m := range ch {
			m.part.Release()
		}
		if in != nil {
			in.Rollback()
		}
	}()
	defer o.Progress.Clear()
	i := 0
	for m := range ch {
		if m.err != nil {
			return transformed, loaded, m.err
		}
		if in == nil {
			if in, err = load.Begin(ctx, db, m.day); err != nil {
				m.part.Release()
				return transformed, loaded, err
			}
		}
		if !m.end {
			err := in.Insert(ctx, m.part)
			m.part.Release()
			if err != nil {
				return transformed, loaded, err
			}
			continue
		}
		transformed = transformed.Add(m.st.Counts)
		if i++; i == len(days) {
			logTransformed(o, days, transformed, start)
		}
		c, err := in.Commit(ctx, runID, m.st, hashes[m.day])
		in.Rollback() // nothing after a commit
		in = nil
		if err != nil {
			return transformed, loaded, err
		}
		loaded = loaded.Add(c)
		o.Progress.Update("transform and load", i, len(days), loaded.Loaded, 0)
	}
	o.Progress.Clear()
	o.Log.Info("load done", "days", DayRange(days), "loaded", loaded.Loaded, "elapsed", time.Since(start).Round(time.Millisecond))
	return transformed, loaded, nil
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
		inputs = append(inputs, transform.Input{
			Name:   filepath.ToSlash(filepath.Join("raw", persona.Partition(day), u.File)),
			Source: m.Source,
			Open:   func() (io.ReadCloser, error) { return l.Open(day, u) },
			Lines:  u.Kind == extract.KindLines,
		})
	}
	return inputs, size, nil
}

// TransformedDays is the staged days within From..To; none is a
// UsageError.
func TransformedDays(o Options) ([]time.Time, error) {
	all, err := o.staging().Days()
	if err != nil {
		return nil, err
	}
	days := o.within(all)
	if len(days) == 0 {
		return nil, UsageError{fmt.Errorf("no transformed days in %s for that range: run `kpi transform` first", o.staging().Dir)}
	}
	return days, nil
}

// inputHash identifies everything a day's tables are built from: the
// landed text and its source, the configuration that shapes segments, and
// the transform's format. Equal hashes give equal tables.
func inputHash(o Options, day time.Time) (string, error) {
	m, err := o.landing().Manifest(day)
	if err != nil {
		return "", err
	}
	shaping, err := json.Marshal([]any{o.Config.Segmentations, o.Config.Aliases, o.Config.Flows})
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "format %d\nsource %s\ncontent %s\nconfig %s\n", transform.FormatVersion, m.Source, m.ContentHash(), shaping)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// loadStage replaces each day in the database; a day without a hash
// ("" from a nil map) is rebuilt by the next run.
func loadStage(ctx context.Context, o Options, db *store.DB, runID int64, days []time.Time, hashes map[time.Time]string) (persona.Counts, error) {
	start := time.Now()
	var total persona.Counts
	defer o.Progress.Clear()
	for i, day := range days {
		c, err := load.Day(ctx, db, runID, o.staging(), day, hashes[day])
		if err != nil {
			return total, err
		}
		total = total.Add(c)
		o.Progress.Update("load", i+1, len(days), total.Loaded, 0)
	}
	o.Progress.Clear()
	o.Log.Info("load done", "days", DayRange(days), "loaded", total.Loaded, "elapsed", time.Since(start).Round(time.Millisecond))
	return total, nil
}

// Selection is which KPI versions and days Compute computes; zero values
// select everything (see compute.Options).
type Selection struct {
	From, To time.Time
	KPI      string
	Version  int
	Force    bool
}

// Compute computes KPIs into kpi_results on an open writer. Refused
// definitions and changed SQL are UsageErrors: the user must fix a file.
func Compute(ctx context.Context, o Options, db *store.DB, sel Selection) (compute.Result, error) {
	o = o.withDefaults()
	start := time.Now()
	res, err := compute.Compute(ctx, db.DB, kpisql.KPIs(), compute.Options{
		From: sel.From, To: sel.To, KPI: sel.KPI, Version: sel.Version, Force: sel.Force,
		Config: o.Config, Logger: o.Log, Pending: true, MemoryLimit: store.WriterMemoryLimit,
	})
	if err != nil {
		if errors.Is(err, compute.ErrDefinition) || errors.Is(err, compute.ErrChanged) || errors.Is(err, compute.ErrNoKPI) {
			return res, UsageError{fmt.Errorf("compute: %w", err)}
		}
		return res, fmt.Errorf("compute: %w", err)
	}
	o.Log.Info("compute done", "versions", len(res.Computed), "rows", res.Rows(), "elapsed", time.Since(start).Round(time.Millisecond))
	return res, nil
}

// Report renders the site from db and puts it in place at the configured
// --out. It only reads db, so a run can pass its own read-write connection
// (and its run id, shown as the data's run; 0 means the latest successful
// run). It returns the number of files written.
func Report(ctx context.Context, o Options, db *sql.DB, runID int64) (int, error) {
	o = o.withDefaults()
	if err := o.checkLayout(); err != nil {
		return 0, err
	}
	start := time.Now()
	files, err := reports.Build(ctx, db, reports.Options{
		Config:      o.Config,
		GeneratedAt: o.Now().UTC(),
		RunID:       runID,
		Logger:      o.Log,
	})
	if err != nil {
		return 0, fmt.Errorf("report: %w", err)
	}
	if err := reports.Write(o.Config.Out, files); err != nil {
		if errors.Is(err, reports.ErrNotASite) {
			return 0, UsageError{fmt.Errorf("report: %w", err)}
		}
		return 0, fmt.Errorf("report: %w", err)
	}
	o.Log.Info("report written", "dir", o.Config.Out, "files", len(files), "took", time.Since(start).Round(time.Millisecond))
	return len(files), nil
}

package pipeline

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"time"

	"github.com/persona-kpi/kpi/extract"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/store"
)

// Commands a run is recorded under.
const (
	CommandRun      = "run"
	CommandBackfill = "backfill"
	CommandLoad     = "load"
)

// Summary is what a run did.
type Summary struct {
	RunID int64
	// Days are the days landed, in order; Unchanged of them were fetched
	// again, found unchanged and left as they were.
	Days      []time.Time
	Unchanged int
	// Emptied are the days of a backfill's range that the source no
	// longer holds: the store, the landing and the Parquet hold nothing of
	// them any more, as after a fresh run over the range.
	Emptied []time.Time
	Counts  persona.Counts
	Elapsed time.Duration
}

// Run opens the store for writing and runs the whole pipeline for what is
// due (command CommandRun) or for every day of From..To, unchanged or not
// (CommandBackfill), recording the run in the runs table.
func Run(ctx context.Context, o Options, command string) (sum Summary, err error) {
	o = o.withDefaults()
	if err := o.checkLayout(); err != nil {
		return sum, err
	}
	err = WithWriter(ctx, o.Config.DB, func(db *store.DB) error {
		sum, err = runDays(ctx, o, db, command)
		return err
	})
	return sum, err
}

// WithWriter opens the store for writing, runs fn, then checkpoints and
// closes it, keeping fn's error first.
func WithWriter(ctx context.Context, path string, fn func(*store.DB) error) (err error) {
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	return fn(db)
}

// runDays is Run's work on the open store: the stages in order, each a
// step below, with the run's record kept up to date.
func runDays(ctx context.Context, o Options, db *store.DB, command string) (sum Summary, err error) {
	start := time.Now()
	runID, err := db.StartRun(ctx, command, o.SourceName(), o.From, o.To)
	if err != nil {
		return sum, err
	}
	sum.RunID = runID
	o.Log = o.Log.With("run", runID)
	var rec store.RunSummary
	defer func() {
		if ferr := db.FinishRun(ctx, runID, rec, err); err == nil {
			err = ferr
		}
	}()

	if err := cleanLeftovers(o); err != nil {
		return sum, err
	}
	if sum.Days, err = landDue(ctx, o, db); err != nil {
		return sum, err
	}
	if len(sum.Days) > 0 {
		rec.From, rec.To = sum.Days[0], sum.Days[len(sum.Days)-1]
	}
	if command == CommandBackfill {
		if sum.Emptied, err = emptyDaysWithoutData(ctx, o, db, sum.Days); err != nil {
			return sum, err
		}
	}
	process, err := rebuild(ctx, o, db, runID, sum.Days, command == CommandBackfill, &rec)
	if err != nil {
		return sum, err
	}
	sum.Unchanged, sum.Counts = rec.DaysUnchanged, rec.Counts
	if err := computeChanged(ctx, o, db, process); err != nil {
		return sum, err
	}
	if err := db.RecordProgress(ctx, runID, rec); err != nil {
		return sum, err
	}
	// Write everything into the database file now, while a failure (a
	// full disk) can still be recorded as the run's; closing checkpoints
	// again, with little left to write. The checkpoint runs on a
	// connection of its own while the report reads the results and makes
	// and writes its pages: on 90 days of history it rewrites the tables'
	// last, partly filled row groups (see docs/performance.md), and takes
	// about as long as the report. While the report runs, DuckDB works
	// with one thread: the checkpoint writes a task per row group and,
	// with a second thread, its calling thread spins while it waits for
	// the other's (duckdb#22178), taking the core the report renders on.
	// Once the report is written, what is left of the checkpoint has
	// every thread again (after a large load it outlasts the report).
	// Measured on 90 days of history: the checkpoint 0.58 s → 0.50 s
	// and 0.2 CPU-s less (medians of five pairs); the report's reads are
	// as quick.
	restore, err := db.SetThreads(ctx, 1)
	if err != nil {
		return sum, err
	}
	checkpointed := make(chan error, 1)
	go func() { checkpointed <- db.Checkpoint(ctx) }()
	_, err = Report(ctx, o, db.DB, runID)
	if err == nil {
		err = pruneRaw(o)
	}
	restore()
	if cerr := <-checkpointed; err == nil {
		err = cerr
	}
	if err != nil {
		return sum, err
	}
	sum.Elapsed = time.Since(start)
	return sum, nil
}

// pruneRaw removes the raw landing days older than the configured
// retention (raw_retention_days; 0 keeps them).
func pruneRaw(o Options) error {
	if o.Config.RawRetentionDays <= 0 {
		return nil
	}
	before := o.today().AddDate(0, 0, -o.Config.RawRetentionDays)
	removed, err := o.landing().Prune(before)
	if len(removed) > 0 {
		o.Log.Info("removed raw landing days past their retention", "days", DayRange(removed), "kept_from", before.Format(time.DateOnly))
	}
	if err != nil {
		return fmt.Errorf("raw retention: %w", err)
	}
	return nil
}

// emptyDaysWithoutData empties the days of the backfill's range that the
// source did not land, so that the range holds exactly what the source
// holds now. It returns the days it emptied (those that held anything).
func emptyDaysWithoutData(ctx context.Context, o Options, db *store.DB, landed []time.Time) ([]time.Time, error) {
	loaded, err := store.LoadedDays(ctx, db.DB)
	if err != nil {
		return nil, err
	}
	had := map[time.Time]bool{}
	for _, l := range loaded {
		had[l.Day] = true
	}
	staged, err := o.staging().Days()
	if err != nil {
		return nil, err
	}
	for _, d := range staged {
		had[d] = true
	}
	var emptied []time.Time
	for _, d := range persona.Days(o.From, o.To) {
		if slices.ContainsFunc(landed, d.Equal) {
			continue
		}
		if err := db.EmptyDay(ctx, d); err != nil {
			return emptied, err
		}
		if err := o.landing().Remove(d); err != nil {
			return emptied, err
		}
		if err := o.staging().Remove(d); err != nil {
			return emptied, err
		}
		if had[d] {
			emptied = append(emptied, d)
			o.Log.Info("emptied a day the source no longer holds", "day", d.Format(time.DateOnly))
		}
	}
	return emptied, nil
}

// landDue lands the days that are due and returns the days landed.
func landDue(ctx context.Context, o Options, db *store.DB) ([]time.Time, error) {
	last, hasLoaded, err := db.LastLoadedDay(ctx)
	if err != nil {
		return nil, err
	}
	due := o.dueDays(last, hasLoaded)
	if extract.Kind(o.Config.Source) != extract.KindFiles && len(due) == 0 {
		return nil, nil
	}
	res, err := Extract(ctx, o, due)
	return res.Days, err
}

// rebuild transforms and loads the landed days whose input changed (all
// of them when forced), recording what it did in rec, and returns them.
func rebuild(ctx context.Context, o Options, db *store.DB, runID int64, days []time.Time, force bool, rec *store.RunSummary) ([]time.Time, error) {
	process, hashes, err := changedDays(ctx, o, db, days, force)
	if err != nil {
		return nil, err
	}
	rec.DaysProcessed, rec.DaysUnchanged = len(process), len(days)-len(process)
	transformed, loaded, err := transformAndLoad(ctx, o, db, runID, process, hashes)
	rec.Counts = loaded
	if err != nil {
		return nil, err
	}
	// Loading may move copies of a row id seen on another day to the
	// duplicates, never lose an element.
	if rec.Counts.Fetched != transformed.Fetched || rec.Counts.Check() != nil {
		return nil, fmt.Errorf("run %d: loaded counts %+v do not account for the transformed %+v", runID, rec.Counts, transformed)
	}
	return process, nil
}

// computeChanged computes the days a run changed. With none, the last
// loaded day stands in, so that a KPI version added since is still
// back-filled.
func computeChanged(ctx context.Context, o Options, db *store.DB, process []time.Time) error {
	sel := Selection{}
	if len(process) > 0 {
		sel.From, sel.To = process[0], process[len(process)-1]
	} else if last, ok, err := db.LastLoadedDay(ctx); err != nil {
		return err
	} else if ok {
		sel.From, sel.To = last, last
	}
	if sel.From.IsZero() {
		return nil
	}
	// The ingest's Go heap (Arrow parts, Parquet row groups) is garbage
	// by now, but the runtime hands it back to the system only slowly:
	// hand it back before DuckDB takes its memory for the facts, so the
	// two do not add up in the run's peak.
	debug.FreeOSMemory()
	_, err := Compute(ctx, o, db, sel)
	return err
}

// changedDays keeps the days whose input differs from what was loaded
// (all of them when forced), with each day's input hash.
func changedDays(ctx context.Context, o Options, db *store.DB, days []time.Time, force bool) ([]time.Time, map[time.Time]string, error) {
	hashes := map[time.Time]string{}
	var changed []time.Time
	for _, d := range days {
		h, err := inputHash(o, d)
		if err != nil {
			return nil, nil, err
		}
		hashes[d] = h
		if !force {
			old, err := db.InputHash(ctx, d)
			if err != nil {
				return nil, nil, err
			}
			if old == h {
				o.Log.Debug("unchanged", "day", d.Format(time.DateOnly))
				continue
			}
		}
		changed = append(changed, d)
	}
	return changed, hashes, nil
}

// cleanLeftovers removes what a killed run left in the landing and
// staging areas; each area removes only its own temporary names. Only
// the holder of the database lock calls it, so no other run is writing
// them.
func cleanLeftovers(o Options) error {
	for _, clean := range []func() ([]string, error){o.landing().Clean, o.staging().Clean} {
		removed, err := clean()
		for _, p := range removed {
			o.Log.Info("removed what an interrupted run left", "path", p)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// LoadDays loads staged days by hand into the store, recorded as a
// CommandLoad run. Parquet loaded by hand may not match the landing: no
// input hash is recorded, so the next run rebuilds these days.
func LoadDays(ctx context.Context, o Options, days []time.Time) (sum Summary, err error) {
	o = o.withDefaults()
	err = WithWriter(ctx, o.Config.DB, func(db *store.DB) error {
		runID, err := db.StartRun(ctx, CommandLoad, "parquet:"+o.staging().Dir, days[0], days[len(days)-1])
		if err != nil {
			return err
		}
		sum.RunID, sum.Days = runID, days
		n, err := loadStage(ctx, o, db, runID, days, nil)
		sum.Counts = n
		rec := store.RunSummary{From: days[0], To: days[len(days)-1], Counts: n, DaysProcessed: len(days)}
		if ferr := db.FinishRun(ctx, runID, rec, err); err == nil {
			err = ferr
		}
		return err
	})
	return sum, err
}

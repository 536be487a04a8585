package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/load"
	"github.com/persona-kpi/kpi/persona"
)

func runFlags() []cli.Flag {
	return withLogFlags(configFlag, sourceFlag, fromFlag, toFlag, dbFlag, dataFlag, outFlag, seedFlag, perDayFlag)
}

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "extract, transform, load, compute and report what is due",
		UsageText: "kpi run [--config FILE] [--source SRC] [--from DAY] [--to DAY] [--db FILE] [--data DIR] [--out DIR]",
		Description: `Runs the pipeline: extract (raw landing copy under --data), transform (Parquet under
--data), load (each day replaced in --db in one transaction), compute (the KPIs of
sql/kpis for the days loaded), report (the static site in --out).

Without --from/--to it does what is due: the days after the last loaded one through
yesterday (UTC), plus a look-back of recent days fetched again to catch late data
(lookback_days, default 2); on an empty database, the last 30 days. For a file source,
every day the files contain. A day fetched again whose content is unchanged is not
transformed or loaded again. Every run is recorded in the runs table.

Examples:
   kpi run                                       # nightly: what is due, built-in generator
   kpi run --source ./exports --db persona.duckdb
   kpi run --source https://kpiggybank.example.org/wsapi/interaction_data --from 2013-05-01 --to 2013-05-31`,
		Flags: runFlags(),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			return runPipeline(c.Context, o, "run", c.App.Writer)
		},
	}
}

func backfillCommand() *cli.Command {
	return &cli.Command{
		Name:      "backfill",
		Usage:     "process a range of days again, whatever was loaded before",
		UsageText: "kpi backfill --from DAY --to DAY [--config FILE] [--source SRC] [--db FILE] [--data DIR]",
		Description: `Fetches, transforms and loads every day of --from..--to again, even days whose
content is unchanged (after an upgrade of kpi, or to repair a range).

Example:
   kpi backfill --from 2026-08-01 --to 2026-08-31`,
		Flags: runFlags(),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			if o.from.IsZero() || o.to.IsZero() {
				return usageError("backfill needs --from and --to")
			}
			return runPipeline(c.Context, o, "backfill", c.App.Writer)
		},
	}
}

// dueDays is what a run without --from/--to fetches from a windowed
// source: after the last loaded day through yesterday, plus the look-back;
// the last 30 days on an empty database.
func dueDays(ctx context.Context, o options, db *load.DB) ([]time.Time, error) {
	if !o.from.IsZero() || !o.to.IsZero() {
		return o.windowDays(), nil
	}
	last, ok, err := db.LastLoadedDay(ctx)
	if err != nil || !ok {
		return o.windowDays(), err
	}
	yesterday := o.now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	start := last.AddDate(0, 0, 1-o.cfg.LookbackDays)
	return persona.Days(start, yesterday), nil
}

// runPipeline extracts, transforms and loads, recording the run. A
// "backfill" processes every day; a "run" skips days fetched again
// unchanged.
func runPipeline(ctx context.Context, o options, command string, stdout io.Writer) error {
	return withWriter(ctx, o.cfg.DB, func(db *load.DB) error { return runDays(ctx, o, db, command, stdout) })
}

// runDays is runPipeline's work on the open database.
func runDays(ctx context.Context, o options, db *load.DB, command string, stdout io.Writer) (err error) {
	runID, err := db.StartRun(ctx, command, o.sourceName(), o.from, o.to)
	if err != nil {
		return err
	}
	o.log = o.log.With("run", runID)
	start := time.Now()
	var sum load.RunSummary
	defer func() {
		if ferr := db.FinishRun(ctx, runID, sum, err); err == nil {
			err = ferr
		}
	}()

	if err := cleanLeftovers(o); err != nil {
		return err
	}
	due, err := dueDays(ctx, o, db)
	if err != nil {
		return err
	}
	var days []time.Time
	if sourceKind(o.cfg.Source) == "files" || len(due) > 0 {
		if days, err = extractStage(ctx, o, due); err != nil {
			return err
		}
	}
	if len(days) > 0 {
		sum.From, sum.To = days[0], days[len(days)-1]
	}
	process, hashes, err := changedDays(ctx, o, db, days, command == "backfill")
	if err != nil {
		return err
	}
	sum.DaysProcessed, sum.DaysUnchanged = len(process), len(days)-len(process)
	transformed, err := transformStage(ctx, o, process)
	if err != nil {
		return err
	}
	if sum.Counts, err = loadStage(ctx, o, db, runID, process, hashes); err != nil {
		return err
	}
	if sum.Counts != transformed {
		return fmt.Errorf("run %d: loaded counts %+v differ from transformed %+v", runID, sum.Counts, transformed)
	}
	// Compute the days this run changed. With none, the last loaded day
	// stands in, so that a KPI version added since is still back-filled.
	sel := computeSelection{}
	if len(process) > 0 {
		sel.from, sel.to = process[0], process[len(process)-1]
	} else if last, ok, err := db.LastLoadedDay(ctx); err != nil {
		return err
	} else if ok {
		sel.from, sel.to = last, last
	}
	if !sel.from.IsZero() {
		if _, err := computeStage(ctx, o, db, sel); err != nil {
			return err
		}
	}
	if err := db.RecordProgress(ctx, runID, sum); err != nil {
		return err
	}
	if _, err := reportStage(ctx, o, db.DB, runID); err != nil {
		return err
	}
	c := sum.Counts
	fmt.Fprintf(stdout, "run %d: %d days %s (%d unchanged) in %s: fetched %d = loaded %d + duplicates %d + rejected %d\n",
		runID, len(days), dayRange(days), sum.DaysUnchanged, time.Since(start).Round(time.Millisecond),
		c.Fetched, c.Loaded, c.Duplicates, c.Rejected)
	return nil
}

// changedDays keeps the days whose input differs from what was loaded
// (all of them when forced), with each day's input hash.
func changedDays(ctx context.Context, o options, db *load.DB, days []time.Time, force bool) ([]time.Time, map[time.Time]string, error) {
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
				o.log.Debug("unchanged", "day", d.Format(time.DateOnly))
				continue
			}
		}
		changed = append(changed, d)
	}
	return changed, hashes, nil
}

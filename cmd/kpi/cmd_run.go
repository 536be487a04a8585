package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/pipeline"
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
			return runAndPrint(c.Context, o, pipeline.CommandRun, c.App.Writer)
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
			if o.From.IsZero() || o.To.IsZero() {
				return usageError("backfill needs --from and --to")
			}
			return runAndPrint(c.Context, o, pipeline.CommandBackfill, c.App.Writer)
		},
	}
}

// runAndPrint runs the pipeline and prints what the run did.
func runAndPrint(ctx context.Context, o pipeline.Options, command string, stdout io.Writer) error {
	sum, err := pipeline.Run(ctx, o, command)
	if err != nil {
		return err
	}
	n := sum.Counts
	fmt.Fprintf(stdout, "run %d: %d days %s (%d unchanged) in %s: %s\n",
		sum.RunID, len(sum.Days), pipeline.DayRange(sum.Days), sum.Unchanged, sum.Elapsed.Round(time.Millisecond), n)
	if len(sum.Emptied) > 0 {
		fmt.Fprintf(stdout, "emptied %d days the source no longer holds: %s\n", len(sum.Emptied), rangeList(runsOf(sum.Emptied)))
	}
	return nil
}

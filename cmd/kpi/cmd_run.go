package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/load"
)

func runCommand() *cli.Command {
	return &cli.Command{
		Name:      "run",
		Usage:     "extract, transform and load the days due into the DuckDB file",
		UsageText: "kpi run [--config FILE] [--source SRC] [--from DAY] [--to DAY] [--db FILE] [--data DIR] [--out DIR]",
		Description: `Runs the whole pipeline for a range of UTC days: extract (raw landing copy under
--data), transform (Parquet under --data), load (each day replaced in --db in one
transaction). Without --from/--to it takes the last 30 days through yesterday, or, for
a file source, every day the files contain. Every run is recorded in the runs table.

Examples:
   kpi run                                       # built-in generator, last 30 days
   kpi run --source ./exports --db persona.duckdb
   kpi run --source https://kpiggybank.example.org/wsapi/interaction_data --from 2013-05-01 --to 2013-05-31`,
		Flags: withLogFlags(configFlag, sourceFlag, fromFlag, toFlag, dbFlag, dataFlag, outFlag, seedFlag, perDayFlag),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			return runPipeline(c.Context, o, c.App.Writer)
		},
	}
}

// runPipeline extracts, transforms and loads the days due, recording the
// run and its counts.
func runPipeline(ctx context.Context, o options, stdout io.Writer) (err error) {
	db, err := load.Open(ctx, o.cfg.DB)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	runID, err := db.StartRun(ctx, "run", o.sourceName(), o.from, o.to)
	if err != nil {
		return err
	}
	o.log = o.log.With("run", runID)
	start := time.Now()
	var days []time.Time
	var counts load.Counts
	defer func() {
		from, to := o.from, o.to
		if len(days) > 0 {
			from, to = days[0], days[len(days)-1]
		}
		if ferr := db.FinishRun(ctx, runID, from, to, counts, err); err == nil {
			err = ferr
		}
	}()

	if days, err = extractStage(ctx, o); err != nil {
		return err
	}
	transformed, err := transformStage(ctx, o, days)
	if err != nil {
		return err
	}
	if counts, err = loadStage(ctx, o, db, runID, days); err != nil {
		return err
	}
	if counts != transformed {
		return fmt.Errorf("run %d: loaded counts %+v differ from transformed %+v", runID, counts, transformed)
	}
	fmt.Fprintf(stdout, "run %d: %d days %s in %s: fetched %d = loaded %d + duplicates %d + rejected %d\n",
		runID, len(days), dayRange(days), time.Since(start).Round(time.Millisecond),
		counts.Fetched, counts.Loaded, counts.Duplicates, counts.Rejected)
	return nil
}

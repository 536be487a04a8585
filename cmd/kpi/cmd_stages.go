package main

import (
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/load"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/transform"
)

func extractCommand() *cli.Command {
	return &cli.Command{
		Name:      "extract",
		Usage:     "fetch raw blobs into the landing area (--data/raw), one directory per day",
		UsageText: "kpi extract [--config FILE] [--source SRC] [--from DAY] [--to DAY] [--data DIR]",
		Description: `Fetches each day from the source and keeps it compressed exactly as received
under --data/raw/day=YYYY-MM-DD/. A day is replaced only once all its windows arrived.

Example:
   kpi extract --source https://kpiggybank.example.org/wsapi/interaction_data --from 2013-05-01 --to 2013-05-07`,
		Flags: withLogFlags(configFlag, sourceFlag, fromFlag, toFlag, dataFlag, seedFlag, perDayFlag),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			days, err := extractStage(c.Context, o, o.windowDays())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "extracted %d days %s into %s\n", len(days), dayRange(days), o.landing().RawDir())
			return nil
		},
	}
}

// landedDays is the days of the landing area within the flags' range.
func landedDays(o options) ([]time.Time, error) {
	all, err := o.landing().Days()
	if err != nil {
		return nil, err
	}
	days := o.within(all)
	if len(days) == 0 {
		return nil, usageError("no extracted days in %s for that range: run `kpi extract` first", o.landing().RawDir())
	}
	if !o.from.IsZero() && !o.to.IsZero() {
		if missing := len(persona.Days(o.from, o.to)) - len(days); missing > 0 {
			o.log.Warn("some days of the range were never extracted", "missing", missing)
		}
	}
	return days, nil
}

func transformCommand() *cli.Command {
	return &cli.Command{
		Name:      "transform",
		Usage:     "turn landed raw days into Parquet (--data/parquet), sessions and events by day",
		UsageText: "kpi transform [--config FILE] [--from DAY] [--to DAY] [--data DIR]",
		Description: `Validates and normalizes every landed blob of each day and writes the day's
sessions, events and rejects as Parquet. Without --from/--to, every landed day.

Example:
   kpi transform --from 2013-05-01 --to 2013-05-07`,
		Flags: withLogFlags(configFlag, fromFlag, toFlag, dataFlag),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			days, err := landedDays(o)
			if err != nil {
				return err
			}
			n, err := transformStage(c.Context, o, days)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "transformed %d days %s: fetched %d = loaded %d + duplicates %d + rejected %d\n",
				len(days), dayRange(days), n.Fetched, n.Loaded, n.Duplicates, n.Rejected)
			return nil
		},
	}
}

func loadCommand() *cli.Command {
	return &cli.Command{
		Name:      "load",
		Usage:     "replace days in the DuckDB file with their Parquet",
		UsageText: "kpi load [--config FILE] [--from DAY] [--to DAY] [--data DIR] [--db FILE]",
		Description: `Replaces each day's sessions, events and rejects in --db with the Parquet under
--data, one transaction per day, and records the run. Without --from/--to, every
transformed day.

Example:
   kpi load --from 2013-05-01 --to 2013-05-07 --db persona.duckdb`,
		Flags: withLogFlags(configFlag, fromFlag, toFlag, dataFlag, dbFlag),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			days, err := transformedDays(o)
			if err != nil {
				return err
			}
			return withWriter(c.Context, o.cfg.DB, func(db *load.DB) error { return loadDays(c, o, db, days) })
		},
	}
}

// loadDays loads transformed days by hand, recorded as a "load" run.
func loadDays(c *cli.Context, o options, db *load.DB, days []time.Time) error {
	runID, err := db.StartRun(c.Context, "load", "parquet:"+o.parquetDir(), days[0], days[len(days)-1])
	if err != nil {
		return err
	}
	// Parquet loaded by hand may not match the landing: no input hash is
	// recorded (a nil map gives ""), so the next run rebuilds these days.
	n, err := loadStage(c.Context, o, db, runID, days, nil)
	sum := load.RunSummary{From: days[0], To: days[len(days)-1], Counts: n, DaysProcessed: len(days)}
	if ferr := db.FinishRun(c.Context, runID, sum, err); err == nil {
		err = ferr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(c.App.Writer, "run %d: loaded %d days %s: fetched %d = loaded %d + duplicates %d + rejected %d\n",
		runID, len(days), dayRange(days), n.Fetched, n.Loaded, n.Duplicates, n.Rejected)
	return nil
}

// transformedDays is the days with Parquet within the flags' range.
func transformedDays(o options) ([]time.Time, error) {
	all, err := transform.Days(o.parquetDir())
	if err != nil {
		return nil, err
	}
	days := o.within(all)
	if len(days) == 0 {
		return nil, usageError("no transformed days in %s for that range: run `kpi transform` first", o.parquetDir())
	}
	return days, nil
}

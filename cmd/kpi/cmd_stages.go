package main

import (
	"fmt"
	"path/filepath"

	"github.com/persona-kpi/kpi/pipeline"
	"github.com/urfave/cli/v2"
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
			res, err := pipeline.Extract(c.Context, o, o.WindowDays())
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "extracted %d days %s into %s\n", len(res.Days), pipeline.DayRange(res.Days), filepath.Join(o.Config.Data, "raw"))
			return nil
		},
	}
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
			days, err := pipeline.LandedDays(o)
			if err != nil {
				return err
			}
			n, err := pipeline.Transform(c.Context, o, days)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "transformed %d days %s: %s\n", len(days), pipeline.DayRange(days), n)
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
			days, err := pipeline.TransformedDays(o)
			if err != nil {
				return err
			}
			sum, err := pipeline.LoadDays(c.Context, o, days)
			if err != nil {
				return err
			}
			n := sum.Counts
			fmt.Fprintf(c.App.Writer, "run %d: loaded %d days %s: %s\n", sum.RunID, len(days), pipeline.DayRange(days), n)
			return nil
		},
	}
}

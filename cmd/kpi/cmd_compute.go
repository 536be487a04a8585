package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/compute"
	"github.com/persona-kpi/kpi/load"
	kpisql "github.com/persona-kpi/kpi/sql"
)

func computeCommand() *cli.Command {
	return &cli.Command{
		Name:      "compute",
		Usage:     "compute the KPI versions of sql/kpis into kpi_results",
		UsageText: "kpi compute [--kpi ID] [--version N] [--from DAY] [--to DAY] [--force] [--db FILE] [--config FILE]",
		Description: `Computes every version of every KPI (or only --kpi / --version) for the loaded days
of --from..--to (all loaded days by default), replacing those days' rows in one
transaction per KPI version. A version never computed before is back-filled over every
loaded day. A version whose SQL changed since it was computed is refused (add the next
version instead), unless --force recomputes its whole history.

Examples:
   kpi compute                                           # all KPIs, all loaded days
   kpi compute --kpi sites_signed_in --version 2         # back-fill one new version
   kpi query "select * from kpis"`,
		Flags: withLogFlags(configFlag, fromFlag, toFlag, dbFlag,
			&cli.StringFlag{Name: "kpi", Usage: "only the KPI `ID` (e.g. new_user_flow)"},
			&cli.IntFlag{Name: "version", Usage: "only version `N`"},
			&cli.BoolFlag{Name: "force", Usage: "recompute the history of versions whose SQL changed"},
		),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			return withWriter(c.Context, o.cfg.DB, func(db *load.DB) error {
				res, err := computeStage(c.Context, o, db, computeSelection{
					from: o.from, to: o.to, kpi: c.String("kpi"), version: c.Int("version"), force: c.Bool("force"),
				})
				if err == nil {
					printComputed(c.App.Writer, res)
				}
				return err
			})
		},
	}
}

// computeSelection is which KPI versions and days to compute.
type computeSelection struct {
	from, to time.Time
	kpi      string
	version  int
	force    bool
}

// computeStage computes KPIs into kpi_results. Refused definitions and
// changed SQL are configuration errors: the user must fix a file.
func computeStage(ctx context.Context, o options, db *load.DB, sel computeSelection) (compute.Result, error) {
	start := time.Now()
	res, err := compute.Compute(ctx, db.DB, kpisql.KPIs(), compute.Options{
		From: sel.from, To: sel.to, KPI: sel.kpi, Version: sel.version, Force: sel.force,
		Config: o.cfg, Logger: o.log,
	})
	if err != nil {
		if errors.Is(err, compute.ErrDefinition) || errors.Is(err, compute.ErrChanged) || errors.Is(err, compute.ErrNoKPI) {
			return res, exitError{exitUsage, fmt.Errorf("compute: %w", err)}
		}
		return res, fmt.Errorf("compute: %w", err)
	}
	o.log.Info("compute done", "versions", len(res.Computed), "rows", res.Rows(), "elapsed", time.Since(start).Round(time.Millisecond))
	return res, nil
}

func printComputed(w io.Writer, res compute.Result) {
	for _, c := range res.Computed {
		note := ""
		if c.Backfill {
			note = " (back-filled over all loaded days)"
		}
		fmt.Fprintf(w, "%s v%d: %s %s..%s, %d rows in %.2f s%s\n", c.KPI, c.Version, countOf(int64(c.Days), "day"),
			c.From.Format(time.DateOnly), c.To.Format(time.DateOnly), c.Rows, c.Elapsed.Seconds(), note)
	}
	fmt.Fprintf(w, "computed %d KPI versions, %d rows\n", len(res.Computed), res.Rows())
}

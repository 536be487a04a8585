package main

import (
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/compute"
	"github.com/persona-kpi/kpi/pipeline"
	"github.com/persona-kpi/kpi/store"
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
			return pipeline.WithWriter(c.Context, o.Config.DB, func(db *store.DB) error {
				res, err := pipeline.Compute(c.Context, o, db, pipeline.Selection{
					From: o.From, To: o.To, KPI: c.String("kpi"), Version: c.Int("version"), Force: c.Bool("force"),
				})
				if err == nil {
					printComputed(c.App.Writer, res)
				}
				return err
			})
		},
	}
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

package main

import (
	"fmt"
	"path/filepath"

	"github.com/persona-kpi/kpi/pipeline"
	"github.com/urfave/cli/v2"
)

func reportCommand() *cli.Command {
	return &cli.Command{
		Name:      "report",
		Usage:     "render the KPI results into a static web site (--out)",
		UsageText: "kpi report [--config FILE] [--db FILE] [--out DIR]",
		Description: `Reads the DuckDB file (read-only) and writes a self-contained static site: an
overview (index.html), a page per KPI with its chart, segments, funnel, daily table,
CSV and definition, and a data health page (health.html). The site loads nothing
from elsewhere, so the directory can be copied to any web host or opened from disk.

The new site is written beside --out and renamed into place, so a failed report
leaves the previous site as it was. --out is only replaced if it is empty or was
written by kpi report.

Examples:
   kpi report                          # kpi.duckdb → site/
   kpi report --db persona.duckdb --out /var/www/kpi
   kpi serve                           # preview it on http://127.0.0.1:8080/`,
		Flags: withLogFlags(configFlag, dbFlag, outFlag),
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			db, err := openCurrentReader(c.Context, o.Config.DB)
			if err != nil {
				return err
			}
			defer db.Close()
			n, err := pipeline.Report(c.Context, o, db.DB, 0)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %d files to %s; open %s or run `kpi serve --dir %s`\n",
				n, o.Config.Out, filepath.Join(o.Config.Out, "index.html"), o.Config.Out)
			return nil
		},
	}
}

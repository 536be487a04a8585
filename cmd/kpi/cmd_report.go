package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/persona-kpi/kpi/reports"
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
			db, err := openCurrentReader(c.Context, o.cfg.DB)
			if err != nil {
				return err
			}
			defer db.Close()
			n, err := reportStage(c.Context, o, db.DB, 0)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.App.Writer, "wrote %d files to %s; open %s or run `kpi serve --dir %s`\n",
				n, o.cfg.Out, filepath.Join(o.cfg.Out, "index.html"), o.cfg.Out)
			return nil
		},
	}
}

// reportStage renders the site from db and puts it in place at --out. It
// only reads db, so kpi run can pass its own read-write connection (and
// its run id, shown as the data's run; 0 means the latest successful run).
// It returns the number of files written.
func reportStage(ctx context.Context, o options, db *sql.DB, runID int64) (int, error) {
	start := time.Now()
	files, err := reports.Build(ctx, db, reports.Options{
		Config:      o.cfg,
		GeneratedAt: o.now().UTC(),
		RunID:       runID,
		Logger:      o.log,
	})
	if err != nil {
		return 0, fmt.Errorf("report: %w", err)
	}
	if err := reports.Write(o.cfg.Out, files); err != nil {
		if errors.Is(err, reports.ErrNotASite) {
			return 0, exitError{exitUsage, fmt.Errorf("report: %w", err)}
		}
		return 0, fmt.Errorf("report: %w", err)
	}
	o.log.Info("report written", "dir", o.cfg.Out, "files", len(files), "took", time.Since(start).Round(time.Millisecond))
	return len(files), nil
}

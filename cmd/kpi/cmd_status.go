package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"
)

func statusCommand() *cli.Command {
	return &cli.Command{
		Name:      "status",
		Usage:     "show recent runs, loaded days, missing days, rejects and KPI versions",
		UsageText: "kpi status [--db FILE] [--config FILE]",
		Description: `Reads the database (read-only) and tells what the pipeline has done: the last runs
with their status, duration and counts; the range of loaded days and any day missing in
it; rejected blobs by reason; every KPI version, the last day it was computed for, and
how long its last computation took.

Example:
   kpi status --db /var/lib/kpi/kpi.duckdb`,
		Flags: []cli.Flag{dbFlag, configFlag},
		Action: func(c *cli.Context) error {
			o, err := resolveOptions(c)
			if err != nil {
				return err
			}
			return showStatus(c.Context, o.Config.DB, c.App.Writer)
		},
	}
}

// showStatus prints the state of a database.
func showStatus(ctx context.Context, path string, out io.Writer) error {
	db, err := openCurrentReader(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	defer w.Flush()
	for _, section := range []func(context.Context, *sql.DB, io.Writer) error{statusRuns, statusDays, statusRejects, statusKPIs} {
		if err := section(ctx, db.DB, w); err != nil {
			return fmt.Errorf("status: %w", err)
		}
		fmt.Fprintln(w)
	}
	return nil
}

func statusRuns(ctx context.Context, db *sql.DB, w io.Writer) error {
	rows, err := db.QueryContext(ctx, `SELECT id, command, status, started_at, ended_at, coalesce(from_day::VARCHAR, ''),
		coalesce(to_day::VARCHAR, ''), fetched, loaded, duplicates, rejected, days_processed, days_unchanged, coalesce(error, '')
		FROM runs ORDER BY id DESC LIMIT 10`)
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Fprintln(w, "Last runs")
	fmt.Fprintln(w, "  id\tcommand\tstatus\tstarted (UTC)\tduration\tdays\tprocessed\tunchanged\tfetched\tloaded\tduplicates\trejected")
	n := 0
	for rows.Next() {
		var id, fetched, loaded, dups, rejected, processed, unchanged int64
		var command, status, from, to, errMsg string
		var started time.Time
		var ended sql.NullTime
		if err := rows.Scan(&id, &command, &status, &started, &ended, &from, &to, &fetched, &loaded, &dups, &rejected, &processed, &unchanged, &errMsg); err != nil {
			return err
		}
		n++
		duration := "-"
		if ended.Valid {
			duration = ended.Time.Sub(started).Round(time.Millisecond).String()
		}
		days := from + ".." + to
		if from == "" {
			days = "-"
		}
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", id, command, status,
			started.Format("2006-01-02 15:04:05"), duration, days, processed, unchanged, fetched, loaded, dups, rejected)
		if errMsg != "" {
			fmt.Fprintf(w, "  \t%s\n", safeTerminal(errMsg))
		}
	}
	if n == 0 {
		fmt.Fprintln(w, "  none yet: run `kpi run`")
	}
	return rows.Err()
}

func statusDays(ctx context.Context, db *sql.DB, w io.Writer) error {
	var first, last sql.NullTime
	var n int64
	if err := db.QueryRowContext(ctx, `SELECT min(day), max(day), count(*) FROM loaded_days`).Scan(&first, &last, &n); err != nil {
		return err
	}
	if !first.Valid {
		fmt.Fprintln(w, "Loaded days\n  none")
		return nil
	}
	fmt.Fprintf(w, "Loaded days\n  %s..%s: %d days\n", first.Time.Format(time.DateOnly), last.Time.Format(time.DateOnly), n)
	rows, err := db.QueryContext(ctx, `SELECT d::DATE FROM range(?::DATE, ?::DATE + 1, INTERVAL 1 DAY) r(d)
		WHERE d::DATE NOT IN (SELECT day FROM loaded_days) ORDER BY 1`, first.Time.Format(time.DateOnly), last.Time.Format(time.DateOnly))
	if err != nil {
		return err
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var d time.Time
		if err := rows.Scan(&d); err != nil {
			return err
		}
		missing = append(missing, d.Format(time.DateOnly))
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, "  missing %d: %s (fill with `kpi backfill --from DAY --to DAY`)\n", len(missing), strings.Join(missing, ", "))
	} else {
		fmt.Fprintln(w, "  missing: none")
	}
	return rows.Err()
}

func statusRejects(ctx context.Context, db *sql.DB, w io.Writer) error {
	rows, err := db.QueryContext(ctx, `SELECT reason, count(*), max(day) FROM rejects GROUP BY reason ORDER BY 2 DESC, 1`)
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Fprintln(w, "Rejected blobs by reason")
	n := 0
	for rows.Next() {
		var reason string
		var count int64
		var last time.Time
		if err := rows.Scan(&reason, &count, &last); err != nil {
			return err
		}
		n++
		fmt.Fprintf(w, "  %s\t%d\tlast on %s\n", safeTerminal(reason), count, last.Format(time.DateOnly))
	}
	if n == 0 {
		fmt.Fprintln(w, "  none")
	}
	return rows.Err()
}

func statusKPIs(ctx context.Context, db *sql.DB, w io.Writer) error {
	var exists int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'kpis'`).Scan(&exists); err != nil || exists == 0 {
		return err
	}
	rows, err := db.QueryContext(ctx, `SELECT kpi, version, title, coalesce(computed_to::VARCHAR, 'never'),
		last_compute_ms, last_compute_days FROM kpis ORDER BY kpi, version`)
	if err != nil {
		return err
	}
	defer rows.Close()
	fmt.Fprintln(w, "KPI versions")
	fmt.Fprintln(w, "  kpi\tversion\tlast day\tlast computation\ttitle")
	n := 0
	for rows.Next() {
		var kpi, title, last string
		var version int
		var ms, days sql.NullInt64
		if err := rows.Scan(&kpi, &version, &title, &last, &ms, &days); err != nil {
			return err
		}
		n++
		took := "-"
		if ms.Valid && days.Valid {
			took = fmt.Sprintf("%.2f s, %s", float64(ms.Int64)/1000, countOf(days.Int64, "day"))
		}
		fmt.Fprintf(w, "  %s\tv%d\t%s\t%s\t%s\n", kpi, version, last, took, title)
	}
	if n == 0 {
		fmt.Fprintln(w, "  none computed yet")
	}
	return rows.Err()
}

// countOf writes n things, in the singular for one.
func countOf(n int64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/persona-kpi/kpi/store"
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
	runs, err := store.Runs(ctx, db, 10)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Last runs")
	fmt.Fprintln(w, "  id\tcommand\tstatus\tstarted (UTC)\tduration\tdays\tprocessed\tunchanged\tfetched\tloaded\tserver events\tduplicates\trejected")
	for _, r := range runs {
		duration := "-"
		if r.EndedAt.Valid {
			duration = r.EndedAt.Time.Sub(r.StartedAt).Round(time.Millisecond).String()
		}
		days := "-"
		if r.FromDay.Valid && r.ToDay.Valid {
			days = r.FromDay.Time.Format(time.DateOnly) + ".." + r.ToDay.Time.Format(time.DateOnly)
		}
		fmt.Fprintf(w, "  %d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", r.ID, r.Command, r.Status,
			r.StartedAt.Format("2006-01-02 15:04:05"), duration, days, r.DaysProcessed, r.DaysUnchanged,
			r.Fetched, r.Loaded, r.ServerEvents, r.Duplicates, r.Rejected)
		if r.Error != "" {
			fmt.Fprintf(w, "  \t%s\n", safeTerminal(r.Error))
		}
	}
	if len(runs) == 0 {
		fmt.Fprintln(w, "  none yet: run `kpi run`")
	}
	return nil
}

func statusDays(ctx context.Context, db *sql.DB, w io.Writer) error {
	sp, err := store.LoadedSpan(ctx, db)
	if err != nil {
		return err
	}
	if sp.First.IsZero() {
		fmt.Fprintln(w, "Loaded days\n  none")
		return nil
	}
	fmt.Fprintf(w, "Loaded days\n  %s..%s: %d days\n", sp.First.Format(time.DateOnly), sp.Last.Format(time.DateOnly), sp.Days)
	if len(sp.Missing) == 0 {
		fmt.Fprintln(w, "  missing: none")
	} else {
		fmt.Fprintf(w, "  missing %d: %s (fill with `kpi backfill --from DAY --to DAY`)\n", sp.MissingDays(), rangeList(sp.Missing))
	}
	uncomputed, err := store.UncomputedDays(ctx, db)
	if err != nil {
		return err
	}
	if len(uncomputed) == 0 {
		fmt.Fprintln(w, "  loaded but not computed: none")
	} else {
		fmt.Fprintf(w, "  loaded but not computed %d: %s (the next `kpi run` or `kpi compute` computes them)\n",
			len(uncomputed), rangeList(runsOf(uncomputed)))
	}
	return nil
}

// listedRanges is how many runs of days a status line names; it counts
// the rest, so a history of scattered gaps stays one readable line.
const listedRanges = 10

// rangeList writes runs of days for one line: 2013-05-01, or
// 2013-05-03..2013-05-09 for a run of several.
func rangeList(runs []store.DayRange) string {
	var s []string
	for i, r := range runs {
		if i == listedRanges {
			s = append(s, fmt.Sprintf("and %d more runs", len(runs)-i))
			break
		}
		if r.Days() == 1 {
			s = append(s, r.First.Format(time.DateOnly))
			continue
		}
		s = append(s, r.First.Format(time.DateOnly)+".."+r.Last.Format(time.DateOnly))
	}
	return strings.Join(s, ", ")
}

// runsOf groups sorted days into runs of consecutive days.
func runsOf(days []time.Time) []store.DayRange {
	var runs []store.DayRange
	for _, d := range days {
		if k := len(runs) - 1; k >= 0 && runs[k].Last.AddDate(0, 0, 1).Equal(d) {
			runs[k].Last = d
			continue
		}
		runs = append(runs, store.DayRange{First: d, Last: d})
	}
	return runs
}

func statusRejects(ctx context.Context, db *sql.DB, w io.Writer) error {
	reasons, err := store.RejectReasons(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "Rejected blobs by reason")
	for _, r := range reasons {
		fmt.Fprintf(w, "  %s\t%d\tlast on %s\n", safeTerminal(r.Reason), r.N, r.Last.Format(time.DateOnly))
	}
	if len(reasons) == 0 {
		fmt.Fprintln(w, "  none")
	}
	return nil
}

func statusKPIs(ctx context.Context, db *sql.DB, w io.Writer) error {
	versions, err := store.KPIVersions(ctx, db)
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "KPI versions")
	fmt.Fprintln(w, "  kpi\tversion\tlast day\tlast computation\ttitle")
	for _, v := range versions {
		last := "never"
		if v.ComputedTo.Valid {
			last = v.ComputedTo.Time.Format(time.DateOnly)
		}
		took := "-"
		if v.LastComputeMs.Valid && v.LastComputeDays.Valid {
			took = fmt.Sprintf("%.2f s, %s", float64(v.LastComputeMs.Int64)/1000, countOf(v.LastComputeDays.Int64, "day"))
		}
		fmt.Fprintf(w, "  %s\tv%d\t%s\t%s\t%s\n", v.KPI, v.Version, last, took, v.Title)
	}
	if len(versions) == 0 {
		fmt.Fprintln(w, "  none computed yet")
	}
	return nil
}

// countOf writes n things, in the singular for one.
func countOf(n int64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// nightlyResult is the nightly measurement.
type nightlyResult struct {
	days   int
	ratio  float64
	report time.Duration
}

// lookback is kpi's default lookback_days: a nightly run fetches the last
// loaded days again to catch late data.
const lookback = 2

// nightly builds a history of days with kpi's built-in generator, then
// measures, for each repetition, the next day added on top of it the way
// a nightly run does (the look-back days fetched again, found unchanged),
// against the same day run alone on a fresh database; and kpi report over
// the whole history.
func nightly(ctx context.Context, c config, dir string, out io.Writer) (nightlyResult, error) {
	res := nightlyResult{days: c.history}
	hist := func(name string) string { return filepath.Join(dir, "history", name) }
	day := func(d time.Time) string { return d.Format(time.DateOnly) }
	gen := []string{"--source", "generate", "--seed", strconv.FormatInt(c.seed, 10), "--per-day", strconv.Itoa(c.nightDay), "--log-format", "json"}
	first := benchStart
	last := first.AddDate(0, 0, c.history-1)

	// Start from nothing, also when --dir names a directory used before.
	if err := os.RemoveAll(dir); err != nil {
		return res, err
	}
	for _, d := range []string{"history", ""} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return res, err
		}
	}
	args := append([]string{"run", "--from", day(first), "--to", day(last),
		"--db", hist("kpi.duckdb"), "--data", hist("data"), "--out", hist("site")}, gen...)
	m, err := runChild(ctx, nil, c.kpi, args...)
	if err != nil {
		return res, err
	}
	fmt.Fprintf(out, "nightly: a history of %d days × %s blobs built in %s (not timed below)\n",
		c.history, thousands(int64(c.nightDay)), m.Wall.Round(100*time.Millisecond))

	var reports, alone, incr []measure
	for rep := range c.reps {
		m, err := runChild(ctx, nil, c.kpi, "report", "--db", hist("kpi.duckdb"),
			"--out", filepath.Join(dir, fmt.Sprintf("site%d", rep)), "--log-format", "json")
		if err != nil {
			return res, err
		}
		reports = append(reports, m)
	}
	for rep := range c.reps {
		d := last.AddDate(0, 0, 1+rep)
		fresh := func(name string) string { return filepath.Join(dir, fmt.Sprintf("alone%d", rep), name) }
		if err := os.MkdirAll(fresh(""), 0o755); err != nil {
			return res, err
		}
		args := append([]string{"run", "--from", day(d), "--to", day(d),
			"--db", fresh("kpi.duckdb"), "--data", fresh("data"), "--out", fresh("site")}, gen...)
		a, err := runChild(ctx, nil, c.kpi, args...)
		if err != nil {
			return res, err
		}
		args = append([]string{"run", "--from", day(d.AddDate(0, 0, -lookback)), "--to", day(d),
			"--db", hist("kpi.duckdb"), "--data", hist("data"), "--out", hist("site")}, gen...)
		n, err := runChild(ctx, nil, c.kpi, args...)
		if err != nil {
			return res, err
		}
		alone, incr = append(alone, a), append(incr, n)
	}
	wall := func(m measure) float64 { return m.Wall.Seconds() }
	rs, as, ns := of(reports, wall), of(alone, wall), of(incr, wall)
	res.report = time.Duration(rs.med * float64(time.Second))
	res.ratio = ns.med / as.med
	fmt.Fprintf(out, "  %-42s %s\n", fmt.Sprintf("kpi report over the %d days", c.history), seconds(rs))
	fmt.Fprintf(out, "  %-42s %s\n", "kpi run: the next day alone, fresh database", seconds(as))
	fmt.Fprintf(out, "  %-42s %s\n", "kpi run: that day on top of the history", seconds(ns))
	fmt.Fprintf(out, "    (on top of the history, the run also fetches the %d look-back days again, as a nightly run does)\n", lookback)
	for _, st := range stageOrder {
		a := of(alone, func(m measure) float64 { return m.Stages[st].Seconds() })
		n := of(incr, func(m measure) float64 { return m.Stages[st].Seconds() })
		fmt.Fprintf(out, "    %-11s alone %5.2f s   on top of the history %5.2f s\n", st, a.med, n.med)
	}
	fmt.Fprintf(out, "  nightly / alone: %.2f\n", res.ratio)
	return res, nil
}

// Command kpibench measures kpi end to end against what a user could
// pick instead, and the nightly incremental run.
//
//	go run ./cmd/kpibench --kpi bin/kpi --n 1000000 --reps 3
//
// It generates N blobs with kpi's built-in generator (production format:
// XHR events of 3 and 4 elements, census entries) into an NDJSON file of
// KPIggybank rows (not timed), then times, on that same file, alternating
// in each repetition, in fresh directories:
//
//   - kpi run: file → raw landing → Parquet → DuckDB → every KPI version
//     → site, as a child process (bin/kpi run ... --log-format json), with
//     the time of each stage and each KPI version from its log;
//   - the baseline: DuckDB merely loading the JSON (read_ndjson with
//     explicit columns into a sessions table, the event streams unnested
//     into an events table, in a fresh database file);
//   - the peer: what a user without kpi would build, a dbt-duckdb-style
//     pipeline: DuckDB loads the rows into kpi's tables with SQL (census
//     split off, segments and event names derived, no validation) and runs
//     every KPI version of sql/kpis as is, over views (peer.go).
//
// Each is its own process, so that each peak RSS is that process's own.
// It prints wall time, CPU time, blobs/s, MB/s and peak RSS (medians of
// the repetitions), the ratios, then the nightly measurement: one day
// added on top of a history of days, against that day loaded alone, and
// kpi report over the whole history; and the targets of the performance
// issue.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// childEnv marks the re-executed baseline process.
const childEnv = "KPIBENCH_BASELINE"

// config is what one benchmark run measures.
type config struct {
	kpi      string // the kpi binary
	n        int64
	perDay   int
	reps     int
	seed     int64
	dir      string
	keep     bool
	through  bool
	nightly  bool
	history  int // days of history for the nightly measurement
	nightDay int // blobs per day of that history
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if os.Getenv(childEnv) != "" {
		os.Exit(baselineChild(ctx, os.Args[1:], os.Stdout, os.Stderr))
	}
	if os.Getenv(peerEnv) != "" {
		os.Exit(peerChild(ctx, os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(benchMain(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func benchMain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kpibench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c config
	fs.StringVar(&c.kpi, "kpi", "bin/kpi", "the kpi `binary` to measure (make build)")
	fs.Int64Var(&c.n, "n", 1_000_000, "blobs to generate")
	fs.IntVar(&c.perDay, "per-day", 200_000, "about this many blobs per day in the generated file")
	fs.IntVar(&c.reps, "reps", 3, "repetitions; medians are printed")
	fs.Int64Var(&c.seed, "seed", 1, "generator seed")
	fs.StringVar(&c.dir, "dir", "", "work `directory` (default: a new temporary one, removed at the end)")
	fs.BoolVar(&c.keep, "keep", false, "keep the work directory")
	fs.BoolVar(&c.through, "throughput", true, "measure kpi run against the baseline")
	fs.BoolVar(&c.nightly, "nightly", true, "measure the nightly incremental run and kpi report")
	fs.IntVar(&c.history, "history-days", 90, "days of history for the nightly measurement")
	fs.IntVar(&c.nightDay, "history-per-day", 50_000, "blobs per day of that history (and of the day added)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if c.n <= 0 || c.perDay <= 0 || c.reps <= 0 || c.history <= 0 || c.nightDay <= 0 {
		fmt.Fprintln(stderr, "kpibench: --n, --per-day, --reps, --history-days and --history-per-day must be positive")
		return 2
	}
	if err := bench(ctx, c, stdout); err != nil {
		fmt.Fprintln(stderr, "kpibench:", err)
		return 1
	}
	return 0
}

// benchStart is the first day of generated blobs: a Monday in Persona's
// busy years.
var benchStart = time.Date(2013, 6, 3, 0, 0, 0, 0, time.UTC)

func bench(ctx context.Context, c config, out io.Writer) error {
	kpi, err := filepath.Abs(c.kpi)
	if err != nil {
		return err
	}
	if _, err := os.Stat(kpi); err != nil {
		return fmt.Errorf("%w (build it first: make build)", err)
	}
	c.kpi = kpi
	dir := c.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "kpibench-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if !c.keep && c.dir == "" {
		defer os.RemoveAll(dir)
	}

	fmt.Fprintf(out, "kpibench on %s\n", machine())
	var res results
	if c.through {
		if res, err = throughput(ctx, c, dir, out); err != nil {
			return err
		}
	}
	if c.nightly {
		if c.through {
			fmt.Fprintln(out)
		}
		n, err := nightly(ctx, c, filepath.Join(dir, "nightly"), out)
		if err != nil {
			return err
		}
		res.nightly = &n
	}
	fmt.Fprintln(out)
	printTargets(out, res)
	return nil
}

// throughput generates the input file and times kpi run and the baseline
// on it, alternating.
func throughput(ctx context.Context, c config, dir string, out io.Writer) (results, error) {
	self, err := os.Executable()
	if err != nil {
		return results{}, err
	}
	file := filepath.Join(dir, "blobs.ndjson")
	start := time.Now()
	days := int((c.n + int64(c.perDay) - 1) / int64(c.perDay))
	info, err := writeRows(file, c.n, days, c.seed, benchStart)
	if err != nil {
		return results{}, err
	}
	fmt.Fprintf(out, "input: %s blobs, %.1f MB of NDJSON rows, days %s..%s (generated in %s, not timed)\n",
		thousands(info.Blobs), float64(info.Bytes)/1e6, info.From.Format(time.DateOnly), info.To.Format(time.DateOnly),
		time.Since(start).Round(100*time.Millisecond))
	fmt.Fprintf(out, "%d repetitions each, alternating; medians (min..max)\n\n", c.reps)

	var runs, bases, peers []measure
	for rep := range c.reps {
		if err := ctx.Err(); err != nil {
			return results{}, err
		}
		work := filepath.Join(dir, fmt.Sprintf("rep%d", rep))
		if err := os.RemoveAll(work); err != nil {
			return results{}, err
		}
		if err := os.MkdirAll(work, 0o755); err != nil {
			return results{}, err
		}
		m, err := runChild(ctx, nil, c.kpi, "run", "--source", file,
			"--db", filepath.Join(work, "kpi.duckdb"), "--data", filepath.Join(work, "data"),
			"--out", filepath.Join(work, "site"), "--log-format", "json")
		if err != nil {
			return results{}, err
		}
		if !strings.Contains(m.Stdout, fmt.Sprintf("fetched %d =", info.Blobs)) {
			return results{}, fmt.Errorf("kpi run did not fetch every blob: %s", m.Stdout)
		}
		runs = append(runs, m)
		b, err := runChild(ctx, []string{childEnv + "=1"}, self, "--file", file, "--db", filepath.Join(work, "baseline.duckdb"))
		if err != nil {
			return results{}, err
		}
		bases = append(bases, b)
		pm, err := runChild(ctx, []string{peerEnv + "=1"}, self, "--file", file, "--db", filepath.Join(work, "peer.duckdb"))
		if err != nil {
			return results{}, err
		}
		var pr peerResult
		if err := json.Unmarshal([]byte(pm.Stdout), &pr); err != nil {
			return results{}, fmt.Errorf("peer: %w: %s", err, pm.Stdout)
		}
		pm.Stages["load"] = time.Duration(pr.LoadSeconds * float64(time.Second))
		pm.Stages["KPIs"] = time.Duration(pr.KPISeconds * float64(time.Second))
		peers = append(peers, pm)
		if !c.keep {
			if err := os.RemoveAll(work); err != nil {
				return results{}, err
			}
		}
	}
	return printThroughput(out, info, runs, bases, peers), nil
}

// machine describes where the figures come from; the load average says
// whether something else was running.
func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	load := ""
	if b, err := os.ReadFile("/proc/loadavg"); err == nil {
		if f := strings.Fields(string(b)); len(f) >= 3 {
			load = ", load average " + strings.Join(f[:3], " ")
		}
	}
	return fmt.Sprintf("%s, %d CPUs%s, %s/%s, %s%s", model, runtime.NumCPU(), mem, runtime.GOOS, runtime.GOARCH, runtime.Version(), load)
}

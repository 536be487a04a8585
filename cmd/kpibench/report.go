package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Targets of the benchmark (the performance issue): kpi run against
// DuckDB merely loading the JSON, and against the peer doing kpi's job.
const (
	targetBaseline = 1.5
	targetPeer     = 0.6
	targetRSS      = 1 << 30
	targetNightly  = 1.5
	targetReport   = time.Second
)

// results are the figures the targets are checked against.
type results struct {
	measured    bool // the throughput figures below are set
	blobsPerSec float64
	ratio       float64 // kpi run / baseline
	peerRatio   float64 // kpi run / peer
	rss         int64
	nightly     *nightlyResult
}

// stat is the median, min and max of some repetitions.
type stat struct{ med, min, max float64 }

func stats(xs []float64) stat {
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{med, s[0], s[len(s)-1]}
}

func of(ms []measure, f func(measure) float64) stat {
	xs := make([]float64, len(ms))
	for i, m := range ms {
		xs[i] = f(m)
	}
	return stats(xs)
}

func seconds(s stat) string {
	return fmt.Sprintf("%6.2f s (%.2f..%.2f)", s.med, s.min, s.max)
}

func gib(b float64) string { return fmt.Sprintf("%.2f GiB", b/(1<<30)) }

// printThroughput prints the table of kpi run against the baseline and
// the peer.
func printThroughput(out io.Writer, info genInfo, runs, bases, peers []measure) results {
	wall := func(m measure) float64 { return m.Wall.Seconds() }
	row := func(name string, ms []measure) stat {
		w := of(ms, wall)
		cpu := of(ms, func(m measure) float64 { return m.CPU.Seconds() })
		r := of(ms, func(m measure) float64 { return float64(m.MaxRSS) })
		fmt.Fprintf(out, "%-24s %-26s %8.1f %10s %8.1f  %s\n", name, seconds(w), cpu.med,
			thousands(int64(float64(info.Blobs)/w.med)), float64(info.Bytes)/1e6/w.med, gib(r.med))
		return w
	}
	stages := func(ms []measure, order []string, versions bool) {
		for _, st := range order {
			s := of(ms, func(m measure) float64 { return m.Stages[st].Seconds() })
			fmt.Fprintf(out, "  %-22s %s\n", st, seconds(s))
			if st == "compute" && versions {
				printVersions(out, ms)
			}
		}
	}
	fmt.Fprintf(out, "%-24s %-26s %8s %10s %8s  %s\n", "", "wall (min..max)", "CPU s", "blobs/s", "MB/s", "peak RSS")
	pw := row("kpi run", runs)
	stages(runs, stageOrder, true)
	bw := row("baseline (DuckDB load)", bases)
	res := results{
		measured:    true,
		blobsPerSec: float64(info.Blobs) / pw.med,
		ratio:       pw.med / bw.med,
		rss:         int64(of(runs, func(m measure) float64 { return float64(m.MaxRSS) }).max),
	}
	if len(peers) > 0 {
		peer := row("peer (DuckDB load+KPIs)", peers)
		stages(peers, []string{"load", "KPIs"}, false)
		res.peerRatio = pw.med / peer.med
	}
	fmt.Fprintf(out, "ratio kpi run / baseline: %.2f\n", res.ratio)
	if len(peers) > 0 {
		fmt.Fprintf(out, "ratio kpi run / peer: %.2f\n", res.peerRatio)
	}
	return res
}

// printVersions lists the compute time of each KPI version, slowest
// first: where the compute stage's time goes.
func printVersions(out io.Writer, runs []measure) {
	if len(runs) == 0 || len(runs[0].Versions) == 0 {
		return
	}
	type version struct {
		name string
		s    stat
	}
	var vs []version
	for name := range runs[0].Versions {
		vs = append(vs, version{name, of(runs, func(m measure) float64 { return m.Versions[name].Seconds() })})
	}
	slices.SortFunc(vs, func(a, b version) int {
		if a.s.med != b.s.med {
			return cmp.Compare(b.s.med, a.s.med)
		}
		return strings.Compare(a.name, b.name)
	})
	for _, v := range vs {
		fmt.Fprintf(out, "    %-30s %s\n", v.name, seconds(v.s))
	}
}

func printTargets(out io.Writer, r results) {
	check := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	fmt.Fprintln(out, "targets:")
	if r.measured {
		fmt.Fprintf(out, "  kpi run / baseline <= %.1f: %.2f (%s)\n", targetBaseline, r.ratio, check(r.ratio <= targetBaseline))
		if r.peerRatio > 0 {
			fmt.Fprintf(out, "  kpi run / peer <= %.1f: %.2f (%s)\n", targetPeer, r.peerRatio, check(r.peerRatio <= targetPeer))
		}
		fmt.Fprintf(out, "  peak RSS < 1 GiB: %s, highest of the repetitions (%s; compare --n 3000000 for growth)\n", gib(float64(r.rss)), check(r.rss < targetRSS))
	}
	if n := r.nightly; n != nil {
		fmt.Fprintf(out, "  nightly / day alone <= %.1f: %.2f (%s)\n", targetNightly, n.ratio, check(n.ratio <= targetNightly))
		fmt.Fprintf(out, "  kpi report over %d days <= %s: %.2f s (%s)\n", n.days, targetReport, n.report.Seconds(), check(n.report <= targetReport))
	}
}

// thousands writes n with thousands separators.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

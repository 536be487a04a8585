package pipeline

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/store"
)

var (
	benchSource = flag.String("source", "", "file of blobs BenchmarkTransformAndLoad lands (default: the generator)")
	benchFrom   = flag.String("from", "2013-06-03", "first day BenchmarkTransformAndLoad lands")
	benchTo     = flag.String("to", "2013-06-05", "last day BenchmarkTransformAndLoad lands")
	benchPerDay = flag.Int("per-day", 50_000, "generated blobs a day, without -source")
	benchData   = flag.String("data", "", "landing of earlier runs of BenchmarkTransformAndLoad to use instead of extracting again")
	benchParts  = flag.Int("part-blobs", 0, "elements per part handed from transform to the load (0: the default)")
)

// BenchmarkTransformAndLoad times what `kpi run` does between extract and
// compute: landed days transformed and loaded into a fresh DuckDB file,
// closed (checkpointed) at the end. Besides the time it reports the CPU
// seconds of the process (user+sys) and its peak RSS during the loop, e.g.
//
//	go test ./pipeline -run '^$' -bench TransformAndLoad -benchtime 3x \
//	    -source /tmp/blobs.ndjson -from 2013-06-03 -to 2013-06-07
func BenchmarkTransformAndLoad(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	cfg := config.Default()
	cfg.Data = filepath.Join(dir, "data")
	if *benchData != "" {
		cfg.Data = *benchData
	}
	cfg.Generate.PerDay = *benchPerDay
	if *benchSource != "" {
		cfg.Source = *benchSource
	}
	o := Options{Config: cfg, From: day(*benchFrom), To: day(*benchTo)}.withDefaults()
	days, _ := o.landing().Days()
	if days = o.within(days); len(days) == 0 || *benchData == "" {
		res, err := Extract(ctx, o, o.WindowDays())
		if err != nil {
			b.Fatal(err)
		}
		days = res.Days
	}
	hashes := map[time.Time]string{}
	var err error
	for _, d := range days {
		if hashes[d], err = inputHash(o, d); err != nil {
			b.Fatal(err)
		}
	}
	partBlobs = *benchParts
	defer func() { partBlobs = 0 }()
	var fetched int64
	b.ResetTimer()
	cpu0 := cpuSeconds()
	resetPeakRSS()
	for i := range b.N {
		b.StopTimer()
		os.RemoveAll(o.staging().Dir)
		path := filepath.Join(dir, "kpi"+strconv.Itoa(i)+".duckdb")
		b.StartTimer()
		db, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		_, loaded, err := transformAndLoad(ctx, o, db, 1, days, hashes)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		fetched += loaded.Fetched
		b.StopTimer()
		os.Remove(path)
		b.StartTimer()
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	if rss := peakRSS(); rss > 0 {
		b.ReportMetric(float64(rss)/(1<<30), "peak-GiB")
	}
	b.ReportMetric(float64(fetched)/b.Elapsed().Seconds(), "blobs/s")
}

// cpuSeconds is the process's user and system time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// resetPeakRSS restarts Linux's peak RSS (VmHWM) from the current RSS, so
// that setup does not count; elsewhere it does nothing.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is Linux's VmHWM in bytes, 0 where it cannot be read.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kb, _ := strconv.ParseInt(string(bytes.TrimSuffix(bytes.TrimSpace(v), []byte(" kB"))), 10, 64)
			return kb << 10
		}
	}
	return 0
}

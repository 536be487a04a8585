package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/compute"
	kpisql "github.com/persona-kpi/kpi/sql"
)

// TestMain lets the test binary stand in for kpibench when the harness
// re-executes itself for the baseline.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(baselineChild(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	if os.Getenv(peerEnv) != "" {
		os.Exit(peerChild(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestBenchSmoke runs the whole harness on a few thousand blobs: kpi run
// and the baseline as child processes, the nightly measurement, the
// report. It checks what is printed, never how long anything took.
func TestBenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds kpi and runs it several times")
	}
	dir := t.TempDir()
	kpi := filepath.Join(dir, "kpi")
	build := exec.Command("go", "build", "-o", kpi, "github.com/persona-kpi/kpi/cmd/kpi")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	var stdout, stderr bytes.Buffer
	code := benchMain(context.Background(), []string{"--kpi", kpi, "--n", "3000", "--per-day", "1000", "--reps", "1",
		"--history-days", "3", "--history-per-day", "300", "--dir", filepath.Join(dir, "work")}, &stdout, &stderr)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", stderr.String(), stdout.String())
	got := stdout.String()
	for _, want := range []string{"input: 3,000 blobs", "kpi run ", "baseline (DuckDB load)", "ratio kpi run / baseline",
		"peer (DuckDB load+KPIs)", "ratio kpi run / peer", "kpi run / peer <= 0.6",
		"extract ", "transform ", "load ", "compute ", "assertion_time v1 ", "sign_in_attempts v3 ", "report ",
		"kpi report over the 3 days", "nightly / alone", "targets:"} {
		assert.Contains(t, got, want)
	}
	// The baseline loaded every line of the file.
	var res baselineResult
	m, err := runBaseline(context.Background(), filepath.Join(dir, "work", "blobs.ndjson"), filepath.Join(dir, "again.duckdb"))
	require.NoError(t, err)
	res = m
	assert.EqualValues(t, 3000, res.Sessions)
	assert.Greater(t, res.Events, res.Sessions)
	assert.False(t, strings.Contains(got, "NaN"))

	// The peer loaded the same dialog blobs and ran every KPI version.
	pr, err := runPeer(context.Background(), filepath.Join(dir, "work", "blobs.ndjson"), filepath.Join(dir, "peer.duckdb"))
	require.NoError(t, err)
	defs, err := compute.LoadDefinitions(kpisql.KPIs())
	require.NoError(t, err)
	assert.Equal(t, len(defs), pr.Versions)
	// Without validation it skips only what DuckDB cannot read and blobs
	// without events: the generator's few garbled ones.
	assert.LessOrEqual(t, pr.Sessions+pr.Census, int64(3000))
	assert.Greater(t, pr.Sessions+pr.Census, int64(2850))
	assert.Greater(t, pr.Events, pr.Sessions)
}

func TestBenchRefusesBadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, benchMain(context.Background(), []string{"--n", "0"}, &stdout, &stderr))
	assert.Equal(t, 1, benchMain(context.Background(), []string{"--kpi", filepath.Join(t.TempDir(), "missing")}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "make build")
}

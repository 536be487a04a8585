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
)

// TestMain lets the test binary stand in for kpibench when the harness
// re-executes itself for the baseline.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(baselineChild(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
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
	for _, want := range []string{"input: 3,000 blobs", "kpi run ", "baseline (DuckDB only)", "ratio kpi run / baseline",
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
}

func TestBenchRefusesBadFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, 2, benchMain(context.Background(), []string{"--n", "0"}, &stdout, &stderr))
	assert.Equal(t, 1, benchMain(context.Background(), []string{"--kpi", filepath.Join(t.TempDir(), "missing")}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "make build")
}

package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKilledRunsThenARerunGiveTheCleanTables kills a real `kpi run` process
// (SIGKILL, no chance to clean up) at several points, then runs again and
// compares every table with a single clean run's.
func TestKilledRunsThenARerunGiveTheCleanTables(t *testing.T) {
	args := []string{"--from", "2026-11-01", "--to", "2026-11-04", "--per-day", "600"}

	clean := newEnv(t)
	clean.mustRun(args...)
	want := tableFingerprints(t, clean)

	e := newEnv(t)
	// Kill points: after a log line of each stage, and after fixed delays.
	points := []struct {
		after string
		delay time.Duration
	}{
		{after: "msg=extracted"},
		{after: "extract done"},
		{after: "transform done"},
		{delay: 150 * time.Millisecond},
		{delay: 400 * time.Millisecond},
		{after: "load done"},
	}
	for _, p := range points {
		cmd, stderr := kpiProcess(t, append([]string{"run", "--db", e.db, "--data", e.data, "--out", e.out}, args...)...)
		if p.after != "" {
			waitFor(t, stderr, p.after)
		} else {
			time.Sleep(p.delay)
		}
		require.NoError(t, cmd.Process.Kill())
		_ = cmd.Wait()
	}

	e.mustRun(args...)
	got := tableFingerprints(t, e)
	assert.Equal(t, want, got)

	db := e.open()
	assert.Zero(t, queryInt(t, db.DB, "SELECT count(*) FROM runs WHERE status = 'running'"), "no run left running")
	assert.GreaterOrEqual(t, queryInt(t, db.DB, "SELECT count(*) FROM runs WHERE status = 'abandoned'"), int64(3),
		"the kills interrupted runs in progress")
	assertAccounted(t, db.DB, lastRunWithWork(t, db.DB))
	require.NoError(t, db.Close())
	var leftovers []string
	filepath.WalkDir(e.data, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".") {
			leftovers = append(leftovers, path)
		}
		return nil
	})
	assert.Empty(t, leftovers, "no temporary file is left behind")
}

// tableFingerprints sums up the tables a run produces.
func tableFingerprints(t *testing.T, e env) map[string]string {
	t.Helper()
	db := e.open()
	defer db.Close()
	fp := map[string]string{}
	for _, tb := range []string{"sessions", "events", "rejects"} {
		fp[tb] = fingerprint(t, db.DB, tb)
	}
	fp["loaded_days"] = fingerprint(t, db.DB, "(SELECT day, fetched, loaded, duplicates, rejected, input_hash FROM loaded_days)")
	return fp
}

// lastRunWithWork is the latest successful run that loaded something,
// with the totals of the database (a rerun after kills may find some days
// already loaded).
func lastRunWithWork(t *testing.T, db *sql.DB) runRow {
	t.Helper()
	r := runRow{status: "success"}
	require.NoError(t, db.QueryRow(`SELECT sum(fetched), sum(loaded), sum(server_events), sum(duplicates), sum(rejected) FROM loaded_days`).
		Scan(&r.fetched, &r.loaded, &r.server, &r.duplicates, &r.rejected))
	return r
}

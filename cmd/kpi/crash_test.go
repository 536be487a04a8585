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
		// The areas' markers say whose they are; nothing else starts with a dot.
		if err == nil && strings.HasPrefix(d.Name(), ".") && d.Name() != ".kpi-landing" && d.Name() != ".kpi-staging" {
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

// TestEveryLoadedDayIsComputedAfterAKill runs three days, then kills a
// six-day run right after its load committed: kpi status names the days
// loaded but not computed, and the next run (which finds every day
// unchanged) computes them.
func TestEveryLoadedDayIsComputedAfterAKill(t *testing.T) {
	e := newEnv(t)
	e.mustRun("--from", "2026-11-01", "--to", "2026-11-03", "--per-day", "200")
	cmd, stderr := kpiProcess(t, "run", "--db", e.db, "--data", e.data, "--out", e.out, "--log-format", "json",
		"--from", "2026-11-01", "--to", "2026-11-06", "--per-day", "200")
	waitFor(t, stderr, `"load done"`)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	code, out, errs := e.kpi("status", "--db", e.db)
	require.Equal(t, 0, code, errs)
	assert.Contains(t, out, "loaded but not computed 3: 2026-11-04..2026-11-06")

	e.mustRun("--from", "2026-11-01", "--to", "2026-11-06", "--per-day", "200")
	db := e.open()
	assert.Equal(t, int64(6), queryInt(t, db.DB, "SELECT count(DISTINCT day) FROM kpi_results WHERE kpi = 'sign_in_attempts' AND version = 1"))
	assert.Zero(t, queryInt(t, db.DB, `SELECT count(*) FROM loaded_days l CROSS JOIN kpis k
		WHERE NOT EXISTS (SELECT 1 FROM computed_days c
			WHERE c.kpi = k.kpi AND c.version = k.version AND c.day = l.day AND c.loaded_at = l.loaded_at)`),
		"every version is computed from every loaded day's load")
	var msg string
	require.NoError(t, db.QueryRow(`SELECT error FROM runs WHERE status = 'abandoned'`).Scan(&msg))
	assert.Contains(t, msg, "the days it loaded stay loaded")
	assert.NotContains(t, msg, "left as they were")
	db.Close()
	code, out, _ = e.kpi("status", "--db", e.db)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "loaded but not computed: none")
}

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDiskFullDuringALoadFailsCleanly puts the database on a tiny tmpfs
// (which needs root, as CI has; skipped otherwise) and loads more than fits.
func TestDiskFullDuringALoadFailsCleanly(t *testing.T) {
	e := newEnv(t)
	small := filepath.Join(e.dir, "small")
	require.NoError(t, os.MkdirAll(small, 0o755))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=8M", "tmpfs", small).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", small).Run() })
	e.db = filepath.Join(small, "kpi.duckdb")

	e.mustRun("--from", "2026-11-01", "--to", "2026-11-01", "--per-day", "300")
	firstDay := "(SELECT * FROM sessions WHERE day = '2026-11-01')"
	db := e.open()
	before := fingerprint(t, db.DB, firstDay)
	require.NoError(t, db.Close())

	code, _, errs := e.kpi("run", "--quiet", "--db", e.db, "--data", e.data, "--out", e.out, "--from", "2026-11-02", "--to", "2026-11-09", "--per-day", "3000")
	assert.Equal(t, exitFailure, code)
	last := strings.TrimSpace(errs[strings.LastIndex(strings.TrimSpace(errs), "\n")+1:])
	assert.Contains(t, last, "No space left on device")
	assert.Contains(t, last, "free some disk space, then run again")

	// The database is still readable; the day loaded before is intact and
	// no day is partial.
	db = e.open()
	assert.Equal(t, before, fingerprint(t, db.DB, firstDay))
	assert.Equal(t, queryInt(t, db.DB, "SELECT sum(loaded) FROM loaded_days"), queryInt(t, db.DB, "SELECT count(*) FROM sessions"),
		"every day in sessions is a whole loaded day")
	assert.Equal(t, "failed", lastRun(t, db.DB).status)
}

// TestAFullDataDiskIsReportedAsDiskFull puts --data on a tiny tmpfs: the
// run fails with exit code 1 (not 3, the source's), the hint, and a failed
// run record.
func TestAFullDataDiskIsReportedAsDiskFull(t *testing.T) {
	e := newEnv(t)
	small := filepath.Join(e.dir, "small")
	require.NoError(t, os.MkdirAll(small, 0o755))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", small).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", small).Run() })
	e.data = filepath.Join(small, "data")

	code, _, errs := e.kpi("run", "--quiet", "--db", e.db, "--data", e.data, "--out", e.out, "--from", "2026-11-02", "--to", "2026-11-05", "--per-day", "3000")
	assert.Equal(t, exitFailure, code, errs)
	last := strings.TrimSpace(errs[strings.LastIndex(strings.TrimSpace(errs), "\n")+1:])
	assert.Contains(t, strings.ToLower(last), "no space left on device")
	assert.Contains(t, last, "free some disk space, then run again")
	db := e.open()
	r := lastRun(t, db.DB)
	assert.Equal(t, "failed", r.status)
	var msg string
	require.NoError(t, db.QueryRow(`SELECT error FROM runs ORDER BY id DESC LIMIT 1`).Scan(&msg))
	assert.Contains(t, strings.ToLower(msg), "no space left on device")
}

package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCredentialsAreNeverPrintedOrStored gives --source the URLs an
// operator mistypes, with a password in each: it appears in no output,
// log, runs row or status.
func TestCredentialsAreNeverPrintedOrStored(t *testing.T) {
	e := newEnv(t)
	cfg := filepath.Join(e.dir, "kpi.json")
	require.NoError(t, os.WriteFile(cfg, []byte(`{"http": {"retries": 0, "timeout": "2s"}}`), 0o644))
	const secret = "hunter2pw"
	for _, src := range []string{
		"HTTPS://reader:" + secret + "@127.0.0.1:1/wsapi/interaction_data",
		" http://reader:" + secret + "@127.0.0.1:1/wsapi/interaction_data",
		"ftp://reader:" + secret + "@example.org/x",
		"http:/reader:" + secret + "@example.org/x",
		"http//reader:" + secret + "@example.org/x",
		"reader:" + secret + "@example.org/x",
	} {
		code, out, errs := e.kpi("run", "--config", cfg, "--db", e.db, "--data", e.data, "--out", e.out,
			"--source", src, "--from", "2026-11-01", "--to", "2026-11-01")
		assert.NotEqual(t, 0, code, src)
		assert.NotContains(t, out+errs, secret, src)
	}
	code, out, errs := e.kpi("status", "--db", e.db)
	require.Equal(t, 0, code, errs)
	assert.NotContains(t, out, secret)
	db := e.open()
	assert.Zero(t, queryInt(t, db.DB, "SELECT count(*) FROM runs WHERE source LIKE '%"+secret+"%' OR error LIKE '%"+secret+"%'"))
	assert.NotZero(t, queryInt(t, db.DB, "SELECT count(*) FROM runs"), "the runs that failed at the source are recorded")
}

package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/compute"
	kpisql "github.com/persona-kpi/kpi/sql"
)

func TestRunComputesEveryKPIVersionAndComputeRecomputesOne(t *testing.T) {
	defs, err := compute.LoadDefinitions(kpisql.KPIs())
	require.NoError(t, err)
	require.NotEmpty(t, defs)

	e := newEnv(t)
	e.mustRun("--from", "2026-11-01", "--to", "2026-11-02", "--per-day", "300")
	db := e.open()
	assert.Equal(t, int64(len(defs)), queryInt(t, db.DB, "SELECT count(*) FROM kpis"))
	assert.Equal(t, int64(len(defs)), queryInt(t, db.DB, "SELECT count(computed_at) FROM kpis"), "every version is computed")
	// The built-in generator sends the production format of each date
	// (user.can_interact, XHR durations, census entries): every version
	// has results.
	assert.Equal(t, int64(len(defs)), queryInt(t, db.DB, "SELECT count(DISTINCT (kpi, version)) FROM kpi_results"),
		"every version has results")
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT count(DISTINCT day) FROM kpi_results"))
	// Version 1 of sign_in_attempts is the number of loaded blobs per day.
	assert.Equal(t, queryInt(t, db.DB, "SELECT count(*) FROM sessions"),
		queryInt(t, db.DB, `SELECT sum(value) FROM kpi_results WHERE kpi = 'sign_in_attempts' AND version = 1 AND segmentation = 'Total'`))
	before := fingerprint(t, db.DB, "kpi_results")
	require.NoError(t, db.Close())

	code, out, errs := e.kpi("compute", "--quiet", "--db", e.db, "--kpi", "sites_signed_in", "--version", "2")
	require.Equal(t, 0, code, errs)
	assert.Regexp(t, `^sites_signed_in v2: 2 days 2026-11-01..2026-11-02, \d+ rows in \d+\.\d\d s\n`, out)
	assert.Len(t, strings.Split(strings.TrimSpace(out), "\n"), 2, "one version and the total: %s", out)
	db = e.open()
	assert.Equal(t, before, fingerprint(t, db.DB, "kpi_results"), "recomputing gives the same rows")
	// Each version's last computation is timed: the one recomputed over 2
	// days, the others over the run's 2 days too.
	assert.Zero(t, queryInt(t, db.DB, "SELECT count(*) FROM kpis WHERE last_compute_ms IS NULL OR last_compute_days <> 2"))
	assert.Positive(t, queryInt(t, db.DB, "SELECT sum(last_compute_ms) FROM kpis"), "computing takes some time")
	require.NoError(t, db.Close())

	code, out, errs = e.kpi("status", "--db", e.db)
	require.Equal(t, 0, code, errs)
	for _, d := range defs {
		assert.Regexp(t, fmt.Sprintf(`(?m)^  %s +v%d +2026-11-02 +\d+\.\d\d s, 2 days +\S`, d.ID, d.Version), out)
	}

	code, _, errs = e.kpi("compute", "--quiet", "--db", e.db, "--kpi", "no_such_kpi")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errs, "no_such_kpi")

	code, out, errs = e.kpi("query", "--db", e.db, "--format", "csv", "select kpi, version, question from kpis where kpi = 'new_user_flow' and version = 1")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, "kpi,version,question\nnew_user_flow,1,Can new users log in?\n", out)
}

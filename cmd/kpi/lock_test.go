package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestASecondRunAndReadersAreRefusedWhileARunHoldsTheDatabase(t *testing.T) {
	e := newEnv(t)
	e.mustRun("--from", "2026-11-01", "--to", "2026-11-01", "--per-day", "50")

	// A source that holds the next run in its extract stage until released.
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		w.Write([]byte("[]"))
	}))
	defer srv.Close()
	defer close(release)

	cmd, _ := kpiProcess(t, "run", "--db", e.db, "--data", e.data, "--out", e.out, "--from", "2026-11-02", "--to", "2026-11-02",
		"--source", srv.URL+"/wsapi/interaction_data")
	<-arrived
	inProgress := fmt.Sprintf("a kpi run is in progress (pid %d)", cmd.Process.Pid)

	code, _, errs := e.kpi("run", "--db", e.db, "--data", e.data, "--out", e.out, "--from", "2026-11-01", "--to", "2026-11-01")
	assert.Equal(t, exitDBLocked, code, errs)
	assert.Contains(t, errs, inProgress)

	code, _, errs = e.kpi("query", "--db", e.db, "select count(*) from sessions")
	assert.Equal(t, exitDBLocked, code, errs)
	assert.Contains(t, errs, inProgress)

	code, _, errs = e.kpi("status", "--db", e.db)
	assert.Equal(t, exitDBLocked, code, errs)

	release <- struct{}{}
	require.NoError(t, cmd.Wait())
	code, out, errs := e.kpi("query", "--db", e.db, "--format", "csv", "select count(*) as runs from runs")
	require.Equal(t, 0, code, errs)
	assert.Equal(t, "runs\n2\n", out, "readers are welcome again once the run ends")
}

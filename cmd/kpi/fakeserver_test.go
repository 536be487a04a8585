package main

import (
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/persona"
)

// TestFakeServerCommandFeedsARun starts `kpi fake-server` as a real
// process on a free port and runs the pipeline against it.
func TestFakeServerCommandFeedsARun(t *testing.T) {
	cmd, stderr := kpiProcess(t, "fake-server", "--addr", "127.0.0.1:0", "--days", "2", "--per-day", "150", "--seed", "3")
	line := waitFor(t, stderr, "fake KPIggybank listening")
	m := regexp.MustCompile(`url=(http://127\.0\.0\.1:\d+/wsapi/interaction_data)`).FindStringSubmatch(line)
	require.NotNil(t, m, line)

	e := newEnv(t)
	yesterday := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -1)
	days := persona.Days(yesterday.AddDate(0, 0, -1), yesterday)
	e.mustRun("--source", m[1], "--from", days[0].Format(time.DateOnly), "--to", days[1].Format(time.DateOnly))

	db := e.open()
	r := lastRun(t, db.DB)
	assertAccounted(t, db.DB, r)
	g := generate.Generator{Seed: 3, PerDay: 150}
	assert.Equal(t, int64(g.DayCount(days[0])+g.DayCount(days[1])), r.fetched, "the served days, each row once")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "the server stops cleanly")
}

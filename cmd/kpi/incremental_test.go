package main

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract/generate"
)

// nightly builds the options of a run without --from/--to on a given day.
func (e env) nightly(today string) options {
	cfg := config.Default()
	cfg.DB, cfg.Data, cfg.Out = e.db, e.data, e.out
	cfg.Generate.PerDay = 40
	now := day(today).Add(3 * time.Hour)
	return options{cfg: cfg, log: slog.New(slog.NewTextHandler(io.Discard, nil)), now: func() time.Time { return now }}
}

func TestIncrementalRunsDoOnlyWhatIsDue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()

	// First run on an empty database: the last 30 days through yesterday.
	require.NoError(t, runPipeline(ctx, e.nightly("2026-11-21"), "run", io.Discard))
	db := e.open()
	r := lastRun(t, db.DB)
	assert.Equal(t, day("2026-10-22"), r.from)
	assert.Equal(t, day("2026-11-20"), r.to)
	assert.Equal(t, int64(30), queryInt(t, db.DB, "SELECT count(*) FROM loaded_days"))
	require.NoError(t, db.Close())

	// The next night: one new day, plus two look-back days fetched again
	// and found unchanged.
	require.NoError(t, runPipeline(ctx, e.nightly("2026-11-22"), "run", io.Discard))
	db = e.open()
	r = lastRun(t, db.DB)
	assert.Equal(t, day("2026-11-19"), r.from)
	assert.Equal(t, day("2026-11-21"), r.to)
	assert.Equal(t, int64(1), queryInt(t, db.DB, "SELECT days_processed FROM runs WHERE id = 2"))
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT days_unchanged FROM runs WHERE id = 2"))
	g := generate.Generator{Seed: 1, PerDay: 40}
	assert.Equal(t, int64(g.DayCount(day("2026-11-21"))), r.fetched, "only the new day's blobs are processed")
	assert.Equal(t, int64(31), queryInt(t, db.DB, "SELECT count(*) FROM loaded_days"))
	require.NoError(t, db.Close())

	// Run again the same night: nothing new, the look-back is unchanged.
	require.NoError(t, runPipeline(ctx, e.nightly("2026-11-22"), "run", io.Discard))
	db = e.open()
	assert.Equal(t, int64(0), queryInt(t, db.DB, "SELECT days_processed FROM runs WHERE id = 3"))
	require.NoError(t, db.Close())

	// A changed configuration reshapes segments, so the two look-back days
	// (nothing is new) are rebuilt even though their text is the same.
	o := e.nightly("2026-11-22")
	o.cfg.Aliases["en-US"] = "English"
	require.NoError(t, runPipeline(ctx, o, "run", io.Discard))
	db = e.open()
	assert.Equal(t, int64(2), queryInt(t, db.DB, "SELECT days_processed FROM runs WHERE id = 4"))
}

package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/extract"
	"github.com/persona-kpi/kpi/extract/generate"
	"github.com/persona-kpi/kpi/store"
)

// project is a store, a data directory and a site in a test's directory.
type project struct{ db, data, out string }

func newProject(t *testing.T) project {
	dir := t.TempDir()
	return project{db: filepath.Join(dir, "kpi.duckdb"), data: filepath.Join(dir, "data"), out: filepath.Join(dir, "site")}
}

// nightly is the options of a run without --from/--to at 03:00 UTC on today.
func (p project) nightly(today string) Options {
	cfg := config.Default()
	cfg.DB, cfg.Data, cfg.Out = p.db, p.data, p.out
	cfg.Generate.PerDay = 40
	now := day(today).Add(3 * time.Hour)
	return Options{Config: cfg, Now: func() time.Time { return now }}
}

// query reads one row from the store.
func (p project) query(t *testing.T, q string, dst ...any) {
	t.Helper()
	r, err := store.OpenReadOnly(context.Background(), p.db)
	require.NoError(t, err)
	defer r.Close()
	require.NoError(t, r.QueryRow(q).Scan(dst...))
}

func TestIncrementalRunsDoOnlyWhatIsDue(t *testing.T) {
	p := newProject(t)
	ctx := context.Background()
	var from, to time.Time
	var processed, unchanged, loadedDays, fetched int64

	// First run on an empty database: the last 30 days through yesterday.
	sum, err := Run(ctx, p.nightly("2026-11-21"), CommandRun)
	require.NoError(t, err)
	assert.Equal(t, "2026-10-22..2026-11-20", DayRange(sum.Days))
	p.query(t, "SELECT from_day, to_day FROM runs WHERE id = 1", &from, &to)
	assert.Equal(t, day("2026-10-22"), from)
	assert.Equal(t, day("2026-11-20"), to)
	p.query(t, "SELECT count(*) FROM loaded_days", &loadedDays)
	assert.Equal(t, int64(30), loadedDays)
	lookedBack := landedUnit(t, p, day("2026-11-20"))

	// The next night: one new day, plus two look-back days fetched again
	// and found unchanged; their landed units are kept, not written again.
	sum, err = Run(ctx, p.nightly("2026-11-22"), CommandRun)
	require.NoError(t, err)
	assert.Equal(t, 2, sum.Unchanged)
	assert.True(t, os.SameFile(lookedBack, landedUnit(t, p, day("2026-11-20"))), "the look-back day's unit is the one landed before")
	p.query(t, "SELECT from_day, to_day, days_processed, days_unchanged, fetched FROM runs WHERE id = 2", &from, &to, &processed, &unchanged, &fetched)
	assert.Equal(t, day("2026-11-19"), from)
	assert.Equal(t, day("2026-11-21"), to)
	assert.Equal(t, int64(1), processed)
	assert.Equal(t, int64(2), unchanged)
	g := generate.Generator{Seed: 1, PerDay: 40}
	assert.Equal(t, int64(g.DayCount(day("2026-11-21"))), fetched, "only the new day's blobs are processed")
	assert.Equal(t, fetched, sum.Counts.Fetched)
	p.query(t, "SELECT count(*) FROM loaded_days", &loadedDays)
	assert.Equal(t, int64(31), loadedDays)

	// Run again the same night: nothing new, the look-back is unchanged.
	_, err = Run(ctx, p.nightly("2026-11-22"), CommandRun)
	require.NoError(t, err)
	p.query(t, "SELECT days_processed FROM runs WHERE id = 3", &processed)
	assert.Equal(t, int64(0), processed)

	// A changed configuration reshapes segments, so the two look-back days
	// (nothing is new) are rebuilt even though their text is the same.
	o := p.nightly("2026-11-22")
	o.Config.Aliases["en-US"] = "English"
	_, err = Run(ctx, o, CommandRun)
	require.NoError(t, err)
	p.query(t, "SELECT days_processed FROM runs WHERE id = 4", &processed)
	assert.Equal(t, int64(2), processed)

	// A backfill processes its range whether or not it changed.
	o = p.nightly("2026-11-22")
	o.Config.Aliases["en-US"] = "English"
	o.From, o.To = day("2026-11-01"), day("2026-11-03")
	sum, err = Run(ctx, o, CommandBackfill)
	require.NoError(t, err)
	assert.Equal(t, 0, sum.Unchanged)
	p.query(t, "SELECT command, days_processed FROM runs WHERE id = 5", new(string), &processed)
	assert.Equal(t, int64(3), processed)
}

// landedUnit is the file of a landed day's only unit.
func landedUnit(t *testing.T, p project, d time.Time) os.FileInfo {
	t.Helper()
	l := extract.Landing{Dir: p.data}
	m, err := l.Manifest(d)
	require.NoError(t, err)
	require.Len(t, m.Units, 1)
	st, err := os.Stat(filepath.Join(l.DayDir(d), m.Units[0].File))
	require.NoError(t, err)
	return st
}

// TestRawRetentionBoundsTheLanding keeps three days of raw landing
// copies: older ones go after the run, the store keeps every day.
func TestRawRetentionBoundsTheLanding(t *testing.T) {
	p := newProject(t)
	o := p.nightly("2026-11-11")
	o.From, o.To = day("2026-11-01"), day("2026-11-10")
	o.Config.RawRetentionDays = 3
	_, err := Run(context.Background(), o, CommandRun)
	require.NoError(t, err)
	landed, err := o.landing().Days()
	require.NoError(t, err)
	assert.Equal(t, []time.Time{day("2026-11-08"), day("2026-11-09"), day("2026-11-10")}, landed)
	var loaded int64
	p.query(t, "SELECT count(*) FROM loaded_days", &loaded)
	assert.Equal(t, int64(10), loaded)

	// Off (0, the default), nothing is removed.
	q := newProject(t)
	o = q.nightly("2026-11-11")
	o.From, o.To = day("2026-11-01"), day("2026-11-10")
	_, err = Run(context.Background(), o, CommandRun)
	require.NoError(t, err)
	landed, err = o.landing().Days()
	require.NoError(t, err)
	assert.Len(t, landed, 10)
}

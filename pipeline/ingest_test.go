package pipeline

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/store"
)

// dayTables are what a load writes of a day.
var dayTables = []string{"sessions", "events", "rejects", "server_events", "loaded_days",
	"day_event_names", "day_other_values", "day_server_types", "day_sample_rates"}

// dayFingerprints sums up each table's rows of each day.
func dayFingerprints(t *testing.T, db *sql.DB, days []time.Time) map[string]string {
	t.Helper()
	fp := map[string]string{}
	for _, d := range days {
		for _, tb := range dayTables {
			var n int64
			var h sql.NullString
			require.NoError(t, db.QueryRow(`SELECT count(*), bit_xor(hash(x))::VARCHAR FROM `+tb+` x WHERE day = ?`,
				d.Format(time.DateOnly)).Scan(&n, &h))
			fp[d.Format(time.DateOnly)+" "+tb] = fmt.Sprintf("%d/%s", n, h.String)
		}
	}
	return fp
}

// onlyDay keeps the fingerprints of one day.
func onlyDay(fp map[string]string, d time.Time) map[string]string {
	out := map[string]string{}
	for k, v := range fp {
		if k[:10] == d.Format(time.DateOnly) {
			out[k] = v
		}
	}
	return out
}

// assertDaysAccounted checks each loaded day's counts and the tables'.
func assertDaysAccounted(t *testing.T, db *sql.DB) {
	t.Helper()
	rows, err := db.Query(`SELECT l.fetched, l.loaded, l.server_events, l.duplicates, l.rejected,
		(SELECT count(*) FROM sessions s WHERE s.day = l.day), (SELECT count(*) FROM rejects r WHERE r.day = l.day),
		(SELECT count(*) FROM server_events e WHERE e.day = l.day) FROM loaded_days l`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var c persona.Counts
		var sessions, rejects, server int64
		require.NoError(t, rows.Scan(&c.Fetched, &c.Loaded, &c.ServerEvents, &c.Duplicates, &c.Rejected, &sessions, &rejects, &server))
		require.NoError(t, c.Check())
		assert.Equal(t, c.Loaded, sessions)
		assert.Equal(t, c.Rejected, rejects)
		assert.Equal(t, c.ServerEvents, server)
	}
	require.NoError(t, rows.Err())
}

// TestAFailedOrCancelledDayOfTheFusedIngestStaysOld loads three days,
// then loads new content of them in small parts: once with the second
// day's landing damaged (its transform fails after parts of it went
// into its transaction), once cancelled after the first day. The days
// before stay new, the failed day and those after stay old, in the store
// and in the Parquet, and every day's counts add up.
func TestAFailedOrCancelledDayOfTheFusedIngestStaysOld(t *testing.T) {
	defer func(n int) { partBlobs = n }(partBlobs)
	partBlobs = 50
	ctx := context.Background()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Data = filepath.Join(dir, "data")
	cfg.Generate.PerDay = 400
	days := persona.Days(day("2013-11-04"), day("2013-11-06"))
	o := Options{Config: cfg, From: days[0], To: days[2]}.withDefaults()
	db, err := store.Open(ctx, filepath.Join(dir, "kpi.duckdb"))
	require.NoError(t, err)
	defer db.Close()

	load := func(o Options) error {
		res, err := Extract(ctx, o, o.WindowDays())
		require.NoError(t, err)
		require.Equal(t, days, res.Days)
		hashes := map[time.Time]string{}
		for _, d := range days {
			hashes[d], err = inputHash(o, d)
			require.NoError(t, err)
		}
		_, _, err = transformAndLoad(ctx, o, db, 1, days, hashes)
		return err
	}
	require.NoError(t, load(o))
	old := dayFingerprints(t, db.DB, days)
	oldStats, err := os.ReadFile(o.staging().StatsPath(days[1]))
	require.NoError(t, err)

	// New content for every day, the second day's landing damaged.
	o.Config.Generate.Seed = 2
	_, err = Extract(ctx, o, o.WindowDays())
	require.NoError(t, err)
	units, err := filepath.Glob(filepath.Join(o.landing().RawDir(), persona.Partition(days[1]), "*.zst"))
	require.NoError(t, err)
	require.NotEmpty(t, units)
	b, err := os.ReadFile(units[0])
	require.NoError(t, err)
	for i := len(b) * 2 / 3; i < len(b)*2/3+64; i++ {
		b[i] ^= 0x5a
	}
	require.NoError(t, os.WriteFile(units[0], b, 0o644))
	hashes := map[time.Time]string{}
	for _, d := range days {
		hashes[d], err = inputHash(o, d)
		require.NoError(t, err)
	}
	_, _, err = transformAndLoad(ctx, o, db, 2, days, hashes)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "transform day 2013-11-05: read raw/day=2013-11-05/")
	got := dayFingerprints(t, db.DB, days)
	assert.NotEqual(t, onlyDay(old, days[0]), onlyDay(got, days[0]), "the day before is new")
	assert.Equal(t, onlyDay(old, days[1]), onlyDay(got, days[1]), "the failed day is old")
	assert.Equal(t, onlyDay(old, days[2]), onlyDay(got, days[2]), "the day after is old")
	stats, err := os.ReadFile(o.staging().StatsPath(days[1]))
	require.NoError(t, err)
	assert.Equal(t, oldStats, stats, "the failed day's Parquet is the old one")
	assertDaysAccounted(t, db.DB)

	// Cancelled once the first day is in: the second stays as it was.
	require.NoError(t, load(Options{Config: cfg, From: days[0], To: days[2]}.withDefaults()))
	before := dayFingerprints(t, db.DB, days)
	o.Config.Generate.Seed = 3
	_, err = Extract(ctx, o, o.WindowDays())
	require.NoError(t, err)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	o.Progress = cancelAfter{1, cancel}
	for _, d := range days {
		hashes[d], err = inputHash(o, d)
		require.NoError(t, err)
	}
	_, _, err = transformAndLoad(cctx, o, db, 3, days, hashes)
	require.ErrorIs(t, err, context.Canceled)
	got = dayFingerprints(t, db.DB, days)
	assert.NotEqual(t, onlyDay(before, days[0]), onlyDay(got, days[0]))
	assert.Equal(t, onlyDay(before, days[1]), onlyDay(got, days[1]))
	assert.Equal(t, onlyDay(before, days[2]), onlyDay(got, days[2]))
	assertDaysAccounted(t, db.DB)
}

// cancelAfter cancels once n days are done.
type cancelAfter struct {
	n      int
	cancel func()
}

func (c cancelAfter) Update(_ string, done, _ int, _, _ int64) {
	if done >= c.n {
		c.cancel()
	}
}
func (cancelAfter) Clear() {}

package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMissingRangesAreOneRowPerRun: days never loaded between the first
// and the last loaded day come as runs, however long.
func TestMissingRangesAreOneRowPerRun(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "r.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	got, err := MissingRanges(ctx, db.DB)
	require.NoError(t, err)
	assert.Empty(t, got, "nothing loaded")
	_, err = db.Exec(`INSERT INTO loaded_days (day, run_id, loaded_at, fetched, loaded, duplicates, rejected)
		SELECT d::DATE, 1, TIMESTAMP '2026-11-02 06:00:00', 0, 0, 0, 0
		FROM (VALUES ('2012-01-02'), ('2012-01-03'), ('2012-01-05'), ('2026-11-01')) t(d)`)
	require.NoError(t, err)
	got, err = MissingRanges(ctx, db.DB)
	require.NoError(t, err)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	assert.Equal(t, []DayRange{
		{day("2012-01-04"), day("2012-01-04")},
		{day("2012-01-06"), day("2026-10-31")},
	}, got)
	assert.Equal(t, 1, got[0].Days())
	assert.Equal(t, 5413, got[1].Days())

	sp, err := LoadedSpan(ctx, db.DB)
	require.NoError(t, err)
	assert.Equal(t, got, sp.Missing)
	assert.Equal(t, 5414, sp.MissingDays())
	assert.Equal(t, int64(4), sp.Days)
}

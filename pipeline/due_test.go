package pipeline

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/config"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// at is the options of a run at 03:00 UTC on today, with the flags' range.
func at(today, from, to string, lookback int) Options {
	cfg := config.Default()
	cfg.LookbackDays = lookback
	o := Options{Config: cfg, Now: func() time.Time { return day(today).Add(3 * time.Hour) }}
	if from != "" {
		o.From = day(from)
	}
	if to != "" {
		o.To = day(to)
	}
	return o
}

func TestDueDays(t *testing.T) {
	for _, tt := range []struct {
		name                string
		o                   Options
		last                string // "" for an empty store
		wantFirst, wantLast string
		wantLen             int
	}{
		{"empty store: the last 30 days through yesterday", at("2026-11-21", "", "", 2), "", "2026-10-22", "2026-11-20", 30},
		{"the next night: one new day and two look-back days", at("2026-11-22", "", "", 2), "2026-11-20", "2026-11-19", "2026-11-21", 3},
		{"a missed week is caught up", at("2026-11-29", "", "", 2), "2026-11-20", "2026-11-19", "2026-11-28", 10},
		{"no look-back: only what is new", at("2026-11-22", "", "", 0), "2026-11-20", "2026-11-21", "2026-11-21", 1},
		{"the same night again: only the look-back", at("2026-11-22", "", "", 2), "2026-11-21", "2026-11-20", "2026-11-21", 2},
		{"the flags win over the store", at("2026-11-22", "2026-06-01", "2026-06-03", 2), "2026-11-21", "2026-06-01", "2026-06-03", 3},
		{"--from alone runs through yesterday", at("2026-11-22", "2026-11-15", "", 2), "", "2026-11-15", "2026-11-21", 7},
		{"--to alone covers the 30 days before it", at("2026-11-22", "", "2026-06-30", 2), "", "2026-06-01", "2026-06-30", 30},
		{"--from today is that day alone", at("2026-11-22", "2026-11-22", "", 2), "", "2026-11-22", "2026-11-22", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var last time.Time
			if tt.last != "" {
				last = day(tt.last)
			}
			got := tt.o.dueDays(last, tt.last != "")
			if assert.Len(t, got, tt.wantLen) {
				assert.Equal(t, day(tt.wantFirst), got[0])
				assert.Equal(t, day(tt.wantLast), got[len(got)-1])
			}
		})
	}
}

func TestDueDaysFollowTheUTCDayNotTheLocalOne(t *testing.T) {
	o := at("2026-11-22", "", "", 0)
	// 23:30 on the 21st in New York is already the 22nd in UTC.
	ny := time.FixedZone("EST", -5*3600)
	o.Now = func() time.Time { return time.Date(2026, 11, 21, 23, 30, 0, 0, ny) }
	got := o.dueDays(day("2026-11-20"), true)
	assert.Equal(t, []time.Time{day("2026-11-21")}, got)
}

func TestCheckRefusesABackwardRangeAndABadSource(t *testing.T) {
	o := at("2026-11-22", "2026-11-10", "2026-11-01", 2)
	assert.ErrorContains(t, o.Check(), "--to 2026-11-01 is before --from 2026-11-10")
	o = at("2026-11-22", "", "", 2)
	o.Config.Source = "ftp://example.org/x"
	var ue UsageError
	assert.ErrorAs(t, o.Check(), &ue)
	o.Config.Source = "generate"
	assert.NoError(t, o.Check())

	assert.ErrorContains(t, at("2026-11-22", "2026-11-22", "2026-11-23", 2).Check(), "--to 2026-11-23 is after today (2026-11-22, UTC)")
	assert.ErrorContains(t, at("2026-11-22", "2062-11-01", "", 2).Check(), "--from 2062-11-01 is after today")
	assert.NoError(t, at("2026-11-22", "2026-11-22", "2026-11-22", 2).Check(), "today is a day like any other")
}

func TestLayoutKeepsTheSiteApartFromTheData(t *testing.T) {
	dir := t.TempDir()
	o := at("2026-11-22", "", "", 2)
	set := func(db, data, out string) Options {
		o.Config.DB, o.Config.Data, o.Config.Out = filepath.Join(dir, db), filepath.Join(dir, data), filepath.Join(dir, out)
		return o
	}
	assert.NoError(t, set("kpi.duckdb", "data", "site").checkLayout())
	assert.NoError(t, set("kpi.duckdb", "data", "site-data").checkLayout(), "a sibling with a common prefix is apart")
	assert.ErrorContains(t, set("kpi.duckdb", "site/data", "site").checkLayout(), "is inside the report site")
	assert.ErrorContains(t, set("site/kpi.duckdb", "data", "site").checkLayout(), "is inside the report site")
	assert.ErrorContains(t, set("kpi.duckdb", "site", "site").checkLayout(), "is inside the report site")
	assert.ErrorContains(t, set("kpi.duckdb", "data", "data/site").checkLayout(), "is inside the data directory")
	// Another spelling of the same place, through a symbolic link.
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "site"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(dir, "site"), filepath.Join(dir, "www")))
	assert.ErrorContains(t, set("kpi.duckdb", "www/data", "site").checkLayout(), "is inside the report site")
}

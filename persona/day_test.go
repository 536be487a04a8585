package persona

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

var (
	testDay = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	tsMs    = int64(1795177800000) // 2026-11-20 10:30 UTC
)

func TestDayOfMs(t *testing.T) {
	assert.Equal(t, testDay, DayOfMs(tsMs))
	assert.Equal(t, testDay, DayOfMs(testDay.UnixMilli()))
	assert.Equal(t, testDay, DayOfMs(testDay.AddDate(0, 0, 1).UnixMilli()-1))
	assert.Equal(t, testDay.AddDate(0, 0, 1), DayOfMs(testDay.AddDate(0, 0, 1).UnixMilli()))
	assert.Equal(t, time.UTC, DayOfMs(tsMs).Location())
}

func TestDayIsTheDateWrittenOnTheTime(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	// 2026-11-20 01:00 in Tokyo is still the 19th in UTC: the date is the
	// one t is written with, as a day given on the command line means.
	assert.Equal(t, testDay, Day(time.Date(2026, 11, 20, 1, 0, 0, 0, tokyo)))
	assert.Equal(t, testDay.AddDate(0, 0, -1), Day(time.Date(2026, 11, 20, 1, 0, 0, 0, tokyo).UTC()))
	assert.Equal(t, testDay, Day(testDay.Add(23*time.Hour+59*time.Minute)))
	assert.Equal(t, time.UTC, Day(time.Date(2026, 11, 20, 1, 0, 0, 0, tokyo)).Location())
	assert.True(t, Day(time.Time{}).IsZero())
}

func TestDaysIncludesBothEnds(t *testing.T) {
	next := testDay.AddDate(0, 0, 1)
	assert.Equal(t, []time.Time{testDay, next, next.AddDate(0, 0, 1)}, Days(testDay, next.AddDate(0, 0, 1)))
	assert.Equal(t, []time.Time{testDay}, Days(testDay, testDay))
	assert.Empty(t, Days(next, testDay))
}

func TestPartitionNamesRoundTrip(t *testing.T) {
	d := time.Date(2013, 6, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, "day=2013-06-01", Partition(d))
	got, ok := ParsePartition("day=2013-06-01")
	assert.True(t, ok)
	assert.Equal(t, d, got)
	for _, bad := range []string{"day=2013-6-1", "day=2013-06-01.json", ".kpi-tmp-day=2013-06-01-123", "2013-06-01", "day="} {
		_, ok := ParsePartition(bad)
		assert.False(t, ok, bad)
	}
}

func TestPlausibleTimestamps(t *testing.T) {
	now := time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC)
	ms := func(y int, m time.Month, d, h int) int64 { return time.Date(y, m, d, h, 0, 0, 0, time.UTC).UnixMilli() }
	assert.NoError(t, Plausible(ms(2011, 1, 1, 0), now))
	assert.NoError(t, Plausible(ms(2013, 6, 3, 12), now))
	assert.NoError(t, Plausible(ms(2026, 11, 30, 23), now), "later today is still today")
	assert.ErrorContains(t, Plausible(ms(1970, 1, 1, 0), now), "before Persona existed (2011)")
	assert.ErrorContains(t, Plausible(ms(2010, 12, 31, 23), now), "before Persona existed")
	assert.ErrorContains(t, Plausible(ms(2026, 12, 1, 0), now), "after the end of today (UTC)")
	assert.ErrorContains(t, Plausible(ms(2099, 12, 31, 0), now), "2099-12-31")
}

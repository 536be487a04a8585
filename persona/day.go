package persona

import (
	"fmt"
	"strings"
	"time"
)

// Day is the calendar date of t, read in t's own location, as midnight
// UTC: the one form of a day every stage compares and stores. The zero
// time stays zero ("no day").
func Day(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// DayOfMs is the UTC day of a timestamp in milliseconds: a blob's day.
func DayOfMs(ms int64) time.Time { return Day(time.UnixMilli(ms).UTC()) }

// Days lists the days from..to, both included; none when to is before
// from.
func Days(from, to time.Time) []time.Time {
	var days []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days
}

// Partition is a day's name in the Hive-style layout of the landing and
// staging areas ("day=2013-06-01"), which DuckDB and Spark read as a
// column.
func Partition(day time.Time) string { return "day=" + day.Format(time.DateOnly) }

// ParsePartition reads a name Partition wrote; ok is false for any other
// name.
func ParsePartition(name string) (day time.Time, ok bool) {
	s, found := strings.CutPrefix(name, "day=")
	if !found {
		return time.Time{}, false
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil || Partition(d) != name {
		return time.Time{}, false
	}
	return d, true
}

// Beginning is the first day a Persona blob can carry: the dialog first
// shipped in 2011, so an earlier timestamp is a broken clock or a unit
// error.
var Beginning = time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)

// Plausible refuses a blob timestamp (ms) from before Beginning or after
// the end of the current UTC day (now's): such a day would only hold
// that one broken blob, and the pages would stretch to reach it.
func Plausible(ms int64, now time.Time) error {
	switch t := time.UnixMilli(ms).UTC(); {
	case t.Before(Beginning):
		return fmt.Errorf("timestamp %d (%s) is before Persona existed (2011)", ms, t.Format(time.DateOnly))
	case !t.Before(Day(now.UTC()).AddDate(0, 0, 1)):
		return fmt.Errorf("timestamp %d (%s) is after the end of today (UTC)", ms, t.Format(time.DateOnly))
	}
	return nil
}

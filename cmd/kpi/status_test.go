package main

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/persona-kpi/kpi/store"
)

func TestStatusListsRunsOfDays(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	days := []time.Time{day("2026-11-01"), day("2026-11-02"), day("2026-11-03"), day("2026-11-05"), day("2026-12-31"), day("2027-01-01")}
	runs := runsOf(days)
	assert.Equal(t, []store.DayRange{
		{First: day("2026-11-01"), Last: day("2026-11-03")},
		{First: day("2026-11-05"), Last: day("2026-11-05")},
		{First: day("2026-12-31"), Last: day("2027-01-01")},
	}, runs)
	assert.Equal(t, "2026-11-01..2026-11-03, 2026-11-05, 2026-12-31..2027-01-01", rangeList(runs))

	// Scattered gaps over years stay one readable line.
	var many []time.Time
	for i := range 25 {
		many = append(many, day("2020-01-01").AddDate(0, 0, 2*i))
	}
	line := rangeList(runsOf(many))
	assert.Contains(t, line, "2020-01-01, 2020-01-03")
	assert.Contains(t, line, fmt.Sprintf("and %d more runs", 25-listedRanges))
	assert.Less(t, len(line), 200)
}

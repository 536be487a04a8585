package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"
)

var (
	spanFirst = time.Date(2012, 1, 2, 0, 0, 0, 0, time.UTC)
	spanLast  = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
)

// newSpanDB is the hostile fixture of two days moved to spanFirst and
// spanLast, nearly fifteen years apart, with nothing between: every
// table's rows of other days are dropped. With apart false the two days
// stay side by side.
func newSpanDB(tb testing.TB, apart bool) *sql.DB {
	tb.Helper()
	db := newFixtureDB(tb, fixture{days: 2, hostile: true})
	if !apart {
		return db
	}
	before := fixtureThrough.AddDate(0, 0, -1).Format(time.DateOnly)
	through := fixtureThrough.Format(time.DateOnly)
	move := func(col string) string {
		return fmt.Sprintf("CASE %s WHEN DATE '%s' THEN DATE '%s' WHEN DATE '%s' THEN DATE '%s' END", col,
			before, spanFirst.Format(time.DateOnly), through, spanLast.Format(time.DateOnly))
	}
	for _, t := range []struct{ table, replace string }{
		{"kpi_results", move("day") + " AS day"},
		{"loaded_days", move("day") + " AS day"},
		{"rejects", move("day") + " AS day, " + move("blob_day") + " AS blob_day"},
		{"sessions", move("day") + " AS day"},
		{"events", move("day") + " AS day"},
		{"day_event_names", move("day") + " AS day"},
		{"day_other_values", move("day") + " AS day"},
		{"day_server_types", move("day") + " AS day"},
		{"day_sample_rates", move("day") + " AS day"},
	} {
		for _, q := range []string{
			fmt.Sprintf(`CREATE TEMP TABLE moved AS SELECT * REPLACE (%s) FROM %s WHERE day IN (DATE '%s', DATE '%s')`, t.replace, t.table, before, through),
			`DELETE FROM ` + t.table,
			`INSERT INTO ` + t.table + ` SELECT * FROM moved`,
			`DROP TABLE moved`,
		} {
			if _, err := db.Exec(q); err != nil {
				tb.Fatalf("%v\n%s", err, q)
			}
		}
	}
	return db
}

func siteSize(files map[string][]byte) (n int) {
	for _, b := range files {
		n += len(b)
	}
	return n
}

// TestSiteSizeDependsOnTheDaysWithData: data on two days fifteen years
// apart makes a site no bigger than the same two days side by side, the
// health page lists the years between as one gap, and every chart axis
// has the two days with a cut between them.
func TestSiteSizeDependsOnTheDaysWithData(t *testing.T) {
	near, err := Build(context.Background(), newSpanDB(t, false), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	files, err := Build(context.Background(), newSpanDB(t, true), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	size, nearSize := siteSize(files), siteSize(near)
	t.Logf("site: %d files, %d bytes for two days 5,418 days apart; %d bytes side by side", len(files), size, nearSize)
	if size > 3<<20 {
		t.Errorf("the site is %d bytes", size)
	}
	if float64(size) > 1.25*float64(nearSize) { // the milestones within the span add a little
		t.Errorf("the site is %d bytes for two days apart, %d for two days side by side", size, nearSize)
	}

	// The gap is one entry, with its length.
	_, text := parse(t, "health.html", files["health.html"])
	if want := "Never loaded: 2012-01-03 to 2026-10-31 (5,416 days)."; !strings.Contains(text, want) {
		t.Errorf("health.html lacks %q", want)
	}
	_, text = parse(t, "index.html", files["index.html"])
	if !strings.Contains(text, "5,416 day(s) missing") {
		t.Error("the overview does not count the missing days")
	}

	for name, b := range files {
		if !strings.HasSuffix(name, ".html") || !scripted(name) {
			continue
		}
		if data := chartData(t, name, b); len(data.Days) > 2 {
			t.Errorf("%s: %d days on the axis", name, len(data.Days))
		}
	}
	// The server-drawn view is the last 90 days: one day, said so.
	_, text = parse(t, "sign_in_attempts.html", files["sign_in_attempts.html"])
	if !strings.Contains(text, "last 1 day, 2026-11-01 to 2026-11-01") {
		t.Errorf("sign_in_attempts.html does not say it shows the last day only")
	}
}

func TestDayAxisKeepsShortGapsAndCutsLongOnes(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	ds := &dataset{dayIndex: map[time.Time]int{}}
	ds.setDays([]time.Time{day("2024-01-01"), day("2024-01-03"), day("2024-02-04"), day("2024-03-07")})
	var got []string
	for i, d := range ds.days {
		s := d.Format("01-02")
		if !ds.covered[i] {
			s += "?"
		}
		if cutBefore(ds.days, i) {
			s = "|" + s
		}
		got = append(got, s)
	}
	// Jan 3 to Feb 4 leaves 31 days out: kept. Feb 4 to Mar 7 leaves 31
	// too (2024 is a leap year): kept. Only a longer run is cut.
	if len(got) != 67 || got[1] != "01-02?" || strings.Contains(strings.Join(got, " "), "|") {
		t.Errorf("axis %v", got)
	}
	ds = &dataset{dayIndex: map[time.Time]int{}}
	ds.setDays([]time.Time{day("2024-01-01"), day("2024-02-03")})
	if len(ds.days) != 2 || !cutBefore(ds.days, 1) {
		t.Errorf("a run of 32 days is not cut: %d days", len(ds.days))
	}
	if i := atOrAfter(ds.days, day("2024-01-15")); i != 1 {
		t.Errorf("atOrAfter in the cut = %d", i)
	}
	if i := atOrBefore(ds.days, day("2024-01-15")); i != 0 {
		t.Errorf("atOrBefore in the cut = %d", i)
	}
	if got := rangeText(ds.days, false); got != "all 34 days, 2024-01-01 to 2024-02-03 (32 days without data left out)" {
		t.Errorf("rangeText = %q", got)
	}
	// The chart marks the cut and lifts its line there: two isolated
	// points, each with its dot.
	c := newLineChart(lineInput{days: ds.days, lines: []lineSeries{{Name: "Total", Color: "c0", Values: []float64{5, 7}}}, unit: "count"}, chartSizes[0])
	if len(c.Cuts) != 1 || c.Cuts[0].Title != "No data from 2024-01-02 to 2024-02-02 (32 days, left out)" {
		t.Errorf("cuts %+v", c.Cuts)
	}
	if d := c.Lines[0].D; strings.Count(d, "M") != 2 || strings.Contains(d, "L") || len(c.Lines[0].Dots) != 2 {
		t.Errorf("the line is not lifted at the cut: %q, %d dots", d, len(c.Lines[0].Dots))
	}
}

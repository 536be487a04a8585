package reports

import (
	"database/sql"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/stats"
)

// daySums reads one series of a KPI version from the database: its sums
// and interval per day.
func daySums(t *testing.T, db *sql.DB, kpi string, version int, segmentation, segment, step string) map[time.Time]stats.Sums {
	t.Helper()
	rows, err := db.Query(`SELECT day, s_blobs, s_y, s_wy, s_w, s_w2, s_w2y, s_w2y2, s_wy2 FROM kpi_results
		WHERE kpi = ? AND version = ? AND segmentation = ? AND segment = ? AND step = ?`, kpi, version, segmentation, segment, step)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[time.Time]stats.Sums{}
	for rows.Next() {
		var day time.Time
		var s stats.Sums
		if err := rows.Scan(&day, &s.N, &s.Y, &s.Num, &s.Den, &s.W2, &s.W2Y, &s.W2Y2, &s.WY2); err != nil {
			t.Fatal(err)
		}
		out[day.UTC()] = s
	}
	return out
}

// lastWeeksSums adds a series' sums over the last 7 days and the 7 before,
// a weekday counting in both only if both weeks have it.
func lastWeeksSums(days map[time.Time]stats.Sums, through time.Time) (before, after stats.Sums, pairs int) {
	for k := range 7 {
		a, okA := days[through.AddDate(0, 0, -k)]
		b, okB := days[through.AddDate(0, 0, -k-7)]
		if okA && okB {
			after, before, pairs = after.Add(a), before.Add(b), pairs+1
		}
	}
	return before, after, pairs
}

type latestDef struct {
	id, estimate, kind, better string
	version                    int
}

func latestDefs(t *testing.T, db *sql.DB) []latestDef {
	t.Helper()
	rows, err := db.Query(`SELECT kpi, version, estimate, kind, better FROM kpis
		QUALIFY version = max(version) OVER (PARTITION BY kpi) ORDER BY kpi`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []latestDef
	for rows.Next() {
		var d latestDef
		if err := rows.Scan(&d.id, &d.version, &d.estimate, &d.kind, &d.better); err != nil {
			t.Fatal(err)
		}
		out = append(out, d)
	}
	return out
}

// headlineChange is the change a tile of d must show, from the database
// and package stats: the last 7 days against the 7 before, a funnel's
// share completing its last step as a rate.
func headlineChange(t *testing.T, db *sql.DB, d latestDef) (stats.Change, float64, bool) {
	t.Helper()
	step, method := "", d.estimate
	if d.kind == "funnel" {
		if err := db.QueryRow(`SELECT max(step) FROM kpi_results WHERE kpi = ? AND version = ? AND regexp_matches(step, '^[0-9]')`,
			d.id, d.version).Scan(&step); err != nil {
			t.Fatal(err)
		}
		method = "rate"
	}
	switch method {
	case "total", "rate":
	case "census":
		var a, b float64
		if err := db.QueryRow(`SELECT sum(value) FILTER (WHERE day > ?::DATE - 7), sum(value) FILTER (WHERE day <= ?::DATE - 7 AND day > ?::DATE - 14)
			FROM kpi_results WHERE kpi = ? AND version = ? AND day <> ?::DATE + 7`, fixtureThrough, fixtureThrough, fixtureThrough, d.id, d.version, fixtureGap).Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		return stats.DiffTotals(censusSums(b, 1.0/6), censusSums(a, 1.0/6)), b / 6, true
	case "quantiles":
		var a, b stats.Interval
		if err := db.QueryRow(`SELECT max(value) FILTER (WHERE day = ?), max(lo) FILTER (WHERE day = ?), max(hi) FILTER (WHERE day = ?),
				max(value) FILTER (WHERE day = ?::DATE - 7), max(lo) FILTER (WHERE day = ?::DATE - 7), max(hi) FILTER (WHERE day = ?::DATE - 7)
			FROM kpi_results WHERE kpi = ? AND version = ? AND segmentation = 'Total' AND step = 'p50'`,
			fixtureThrough, fixtureThrough, fixtureThrough, fixtureThrough, fixtureThrough, fixtureThrough, d.id, d.version).Scan(&a.Value, &a.Lo, &a.Hi, &b.Value, &b.Lo, &b.Hi); err != nil {
			t.Fatal(err)
		}
		return stats.DiffIntervals(b, a), b.Value, true
	default:
		return stats.Change{}, 0, false
	}
	before, after, pairs := lastWeeksSums(daySums(t, db, d.id, d.version, "Total", "Total", step), fixtureThrough)
	if method == "total" {
		return scaled(stats.DiffTotals(before, after), 1/float64(pairs)), before.Num / float64(pairs), true
	}
	return stats.DiffRates(before, after), stats.Rate(before).Value, true
}

// TestTilesAreColouredOnlyWhenTheChangeIsReal recomputes every estimate
// tile's change from the database with package stats: good or bad only
// when its interval excludes 0, otherwise "no clear change"; a version
// without intervals never coloured.
func TestTilesAreColouredOnlyWhenTheChangeIsReal(t *testing.T) {
	files, db := hostileSite(t)
	_, classes := tileChanges(t, files["index.html"])
	_, text := parse(t, "index.html", files["index.html"])
	var real, noise, unjudged int
	for _, d := range latestDefs(t, db) {
		href := d.id + ".html"
		if d.estimate == "sample" {
			unjudged++
			if classes[href] != "change  unjudged" {
				t.Errorf("%s: a sample version's change is %q, want it not judged", href, classes[href])
			}
			continue
		}
		c, base, ok := headlineChange(t, db, d)
		if !ok {
			continue
		}
		want := "change "
		unit := map[bool]string{true: "rate", false: "count"}[d.estimate == "rate" || d.kind == "funnel"]
		// A change too small to show is not coloured, real or not.
		if _, dir := change(unit, base+c.Value, base); c.Excludes(0) && dir != "flat" {
			real++
			want += judge(d.better, dir)
		} else {
			noise++
		}
		if classes[href] != want {
			t.Errorf("%s: change %+v (P %.3f) shown as %q, want %q", href, c.Interval, c.P, classes[href], want)
		}
	}
	if real == 0 || noise == 0 || unjudged == 0 {
		t.Errorf("the fixture should have real changes (%d), noise (%d) and unjudged ones (%d)", real, noise, unjudged)
	}
	for _, want := range []string{"no clear change", "better", "worse", "not judged"} {
		if !strings.Contains(text, want) {
			t.Errorf("the index never says %q", want)
		}
	}
}

// TestHeadlineValueIsTheLast7DaysEstimate: a count's tile shows the 7
// days' estimated total per day with its interval.
func TestHeadlineValueIsTheLast7DaysEstimate(t *testing.T) {
	files, db := hostileSite(t)
	var version int
	if err := db.QueryRow(`SELECT max(version) FROM kpis WHERE kpi = 'sign_in_attempts'`).Scan(&version); err != nil {
		t.Fatal(err)
	}
	days := daySums(t, db, "sign_in_attempts", version, "Total", "Total", "")
	var sum stats.Sums
	var n float64
	for k := range 7 {
		if s, ok := days[fixtureThrough.AddDate(0, 0, -k)]; ok {
			sum, n = sum.Add(s), n+1
		}
	}
	iv := stats.Total(sum)
	_, text := parse(t, "index.html", files["index.html"])
	for _, want := range []string{formatValue("count", iv.Value/n) + " per day",
		"95% interval " + formatValue("count", iv.Lo/n) + " to " + formatValue("count", iv.Hi/n),
		"estimated from " + formatCount(int64(math.Round(sum.Y))) + " sampled sessions"} {
		if !strings.Contains(text, want) {
			t.Errorf("the sign-in attempts tile lacks %q", want)
		}
	}
}

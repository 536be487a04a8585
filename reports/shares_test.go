package reports

import (
	"strings"
	"testing"

	"github.com/persona-kpi/kpi/stats"
)

// tileText is the text of the overview's tile linking to href.
func tileText(t *testing.T, index []byte, href string) string {
	t.Helper()
	page := string(index)
	i := strings.Index(page, `<a class="tile" href="`+href+`"`)
	if i < 0 {
		t.Fatalf("no tile for %s", href)
	}
	tile := page[i : i+strings.Index(page[i:], "</a>")]
	_, text := parse(t, href, []byte(tile))
	return text
}

// TestQuantileTilesShowTheirIntervalAndN: a median's tile shows the latest
// day's value with its 95% interval and the observations behind it, as
// the database has them.
func TestQuantileTilesShowTheirIntervalAndN(t *testing.T) {
	files, db := hostileSite(t)
	var v, lo, hi, n float64
	if err := db.QueryRow(`SELECT value, lo, hi, n FROM kpi_results WHERE kpi = 'assertion_time'
		AND version = (SELECT max(version) FROM kpis WHERE kpi = 'assertion_time') AND segmentation = 'Total' AND step = 'p50' AND day = ?`,
		fixtureThrough).Scan(&v, &lo, &hi, &n); err != nil {
		t.Fatal(err)
	}
	text := tileText(t, files["index.html"], "assertion_time.html")
	for _, want := range []string{formatValue("ms", v), "95% interval " + formatValue("ms", lo) + " to " + formatValue("ms", hi),
		"estimated from " + formatCount(int64(n)) + " sampled observations", "the same weekday a week earlier"} {
		if !strings.Contains(text, want) {
			t.Errorf("the assertion time tile lacks %q:\n%s", want, text)
		}
	}
}

// TestAMedianThatCannotMoveShowsTheDistribution: the weighted median of
// sites signed in is the same small number every day, so its tile shows
// the KPI's distribution version instead: each category's share of the
// last 7 days from the summed sums, with its interval.
func TestAMedianThatCannotMoveShowsTheDistribution(t *testing.T) {
	files, db := hostileSite(t)
	text := tileText(t, files["index.html"], "sites_signed_in.html")
	if !strings.Contains(text, "distribution of version 3") {
		t.Errorf("the tile does not say why it shows a distribution:\n%s", text)
	}
	for _, step := range []string{"0", "1", "2", "3 or more"} {
		var sum stats.Sums
		days := daySums(t, db, "sites_signed_in", 3, "Total", "Total", step)
		for k := range 7 {
			if s, ok := days[fixtureThrough.AddDate(0, 0, -k)]; ok {
				sum = sum.Add(s)
			}
		}
		iv := stats.Rate(sum)
		want := step + formatValue("rate", iv.Value) + strings.TrimSuffix(formatValue("rate", iv.Lo), "%") + "–" + formatValue("rate", iv.Hi)
		if !strings.Contains(text, want) {
			t.Errorf("the tile lacks %q:\n%s", want, text)
		}
	}
	// The distribution's own page shows it in place of one share.
	_, page := parse(t, "sites_signed_in.v3.html", files["sites_signed_in.v3.html"])
	if !strings.Contains(page, "Share of sessions by category over the last 7 days") {
		t.Error("the distribution's page does not show the distribution")
	}
	// A median that moves keeps its value: dialog load time's tile.
	if text := tileText(t, files["index.html"], "assertion_time.html"); strings.Contains(text, "Share of") {
		t.Error("a median in milliseconds shows a distribution")
	}
}

package reports

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/persona-kpi/kpi/stats"
)

// TestCensusCheckFlagsTheDaysOutsideTheInterval sets the database's
// estimate of verified new accounts beside the server's count, day by day:
// the page flags exactly the days whose count is outside the interval
// (the fixture's lost census entries among them), and the health page
// and the overview say so and link to it.
func TestCensusCheckFlagsTheDaysOutsideTheInterval(t *testing.T) {
	files, db := hostileSite(t)
	rows, err := db.Query(`SELECT e.day, e.lo, e.hi, c.value FROM kpi_results e JOIN kpi_results c USING (day)
		WHERE e.kpi = 'new_users' AND e.version = (SELECT max(version) FROM kpis WHERE kpi = 'new_users')
		  AND e.segmentation = 'Outcome' AND e.segment = 'fallback'
		  AND c.kpi = 'server_accounts_created' AND c.version = (SELECT max(version) FROM kpis WHERE kpi = 'server_accounts_created')
		ORDER BY e.day DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var outside []string
	var days int
	recent := map[string]bool{}
	for rows.Next() {
		var day time.Time
		var lo, hi, n float64
		if err := rows.Scan(&day, &lo, &hi, &n); err != nil {
			t.Fatal(err)
		}
		days++
		if n < lo || n > hi {
			d := day.Format(time.DateOnly)
			outside = append(outside, d)
			recent[d] = day.After(fixtureThrough.AddDate(0, 0, -otherWindowDays))
		}
	}
	if !recent[fixtureCensusOff.Format(time.DateOnly)] {
		t.Fatalf("the fixture's day of lost census entries is within the interval: %v", outside)
	}
	page := files[checkPage+".html"]
	els, text := parse(t, checkPage, page)
	var flagged []string
	for _, row := range tableRows(t, page, "Table of the dialog’s estimate and the server’s count per day") {
		if strings.Contains(row[0], "⚠") {
			flagged = append(flagged, strings.Fields(row[0])[0])
		}
	}
	if strings.Join(flagged, ",") != strings.Join(outside, ",") {
		t.Errorf("flagged %v, want the days outside the interval %v", flagged, outside)
	}
	for _, want := range []string{"on " + formatCount(int64(len(outside))) + " of " + formatCount(int64(days)) + " days",
		"a user who follows the confirmation link after closing the dialog"} {
		if !strings.Contains(text, want) {
			t.Errorf("the check page lacks %q", want)
		}
	}
	var linksKPIs int
	for _, e := range els {
		if e.tag == "a" && (e.attrs["href"] == "new_users.html" || e.attrs["href"] == "server_accounts_created.html") {
			linksKPIs++
		}
	}
	if linksKPIs < 2 {
		t.Error("the check page does not link to the two KPIs")
	}
	// The health page lists the recent days outside, the overview counts them.
	health := tableRows(t, files["health.html"], "Table of days where the census falls outside the dialog’s interval")
	var listed int
	for _, row := range health[1:] { // after the head
		if !recent[strings.Fields(row[0])[0]] {
			t.Errorf("the health page flags %q", row[0])
		}
		listed++
	}
	var want int
	for _, r := range recent {
		if r {
			want++
		}
	}
	if listed != want {
		t.Errorf("the health page flags %d days, want %d", listed, want)
	}
	for _, name := range []string{"health.html", "index.html"} {
		if !strings.Contains(string(files[name]), `href="census-check.html"`) {
			t.Errorf("%s does not link to the census check", name)
		}
	}
}

// TestCensusCheckWaitsForAnEstimate: without an estimate by Outcome the
// page says why there is no check.
func TestCensusCheckWaitsForAnEstimate(t *testing.T) {
	s := fixtureSite(t, fixture{days: 20})
	delete(s.results(s.latestDef("new_users")).cells, "Outcome")
	c := s.censusCheck()
	if c.Available() || !strings.Contains(c.Why, "does not estimate new accounts by Outcome") {
		t.Errorf("check %+v", c)
	}
}

// TestCSVOfAnEstimateCarriesItsSums: the version's CSV has each row's
// interval, n and sums, from which package stats gives the row's value
// and interval again.
func TestCSVOfAnEstimateCarriesItsSums(t *testing.T) {
	files, _ := hostileSite(t)
	recs, err := csv.NewReader(bytes.NewReader(files["new_user_success.v2.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	num := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return v
	}
	for _, r := range recs[1:] {
		sums := stats.Sums{N: num(r[12]), Y: num(r[13]), Num: num(r[14]), Den: num(r[15]), W2: num(r[16]), W2Y: num(r[17]), W2Y2: num(r[18]), WY2: num(r[19])}
		iv := stats.Rate(sums)
		if math.Abs(iv.Value-num(r[6])) > 1e-12 || math.Abs(iv.Lo-num(r[9])) > 1e-12 || math.Abs(iv.Hi-num(r[10])) > 1e-12 || num(r[11]) != sums.N {
			t.Fatalf("row %v: package stats gives %+v", r, iv)
		}
	}
}

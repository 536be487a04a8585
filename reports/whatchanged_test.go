package reports

import (
	"context"
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/persona-kpi/kpi/stats"
)

// fixtureSite reads a fixture database into the site the pages are made
// from.
func fixtureSite(t *testing.T, f fixture) *site {
	t.Helper()
	db := newFixtureDB(t, f)
	ds, err := readDataset(context.Background(), db, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	s, err := newSite(ds, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestWhatChangedStaysQuietWhenNothingChanges: in the stationary fixture
// the population is the same every week and only the sample differs, so
// every change is noise. Day after day, "What changed" must stay empty
// but for the rare day the false-discovery rate allows (5% of days under
// no change at all), while testing each segment alone at 5% would light
// something up nearly every day.
func TestWhatChangedStaysQuietWhenNothingChanges(t *testing.T) {
	s := fixtureSite(t, fixture{days: 100, hostile: true, stationary: true})
	var days, noisy, naive int
	for i := 21; i < len(s.ds.days); i++ {
		if !s.ds.covered[i] {
			continue
		}
		days++
		w := s.whatChanged(i)
		if w.Tested < 200 {
			t.Fatalf("day %d: only %d comparisons", i, w.Tested)
		}
		if len(w.Items) > 0 {
			noisy++
			t.Logf("%s: %d listed, the first %s · %s %s (%s)", s.ds.days[i].Format(dateOnly), len(w.Items), w.Items[0].Title, w.Items[0].Where, w.Items[0].Change, w.Items[0].Within)
		}
		if s.uncorrected(i) > 0 {
			naive++
		}
	}
	t.Logf("%d days: %d with a listed change, %d with a change at 5%% uncorrected", days, noisy, naive)
	if float64(noisy) > 0.12*float64(days) {
		t.Errorf("%d of %d days list a change where nothing changed", noisy, days)
	}
	if float64(naive) < 0.9*float64(days) {
		t.Errorf("uncorrected, only %d of %d days light up: the fixture does not test the correction", naive, days)
	}
}

// uncorrected counts the comparisons of day i whose interval excludes 0
// when each is judged alone.
func (s *site) uncorrected(i int) int {
	n := 0
	for _, d := range s.latest {
		if r := s.results(d); r != nil && d.additive() && r.hasSums {
			for _, c := range s.kpiChanges(d, r, i) {
				if c.c.Excludes(0) {
					n++
				}
			}
		}
	}
	return n
}

// TestWhatChangedListsThePlantedChanges: the fixture's last 7 days log
// fewer new users in, phones far fewer; the list has them, largest first,
// each judged as package stats judges it, and each links to its KPI's
// page showing its segment alone.
func TestWhatChangedListsThePlantedChanges(t *testing.T) {
	s := fixtureSite(t, fixture{days: 60, hostile: true})
	w := s.whatChanged(len(s.ds.days) - 1)
	if len(w.Items) == 0 {
		t.Fatal("nothing listed")
	}
	var success bool
	for k, it := range w.Items {
		if k > 0 && it.size > w.Items[k-1].size {
			t.Errorf("%s · %s listed after a smaller change", it.Title, it.Where)
		}
		if it.Title == "New user success (estimated)" && it.Where == "Total" {
			success = true
			if it.Verdict != "worse" || it.Judgement != "bad" {
				t.Errorf("new user success fell: %+v", it)
			}
		}
		if it.p >= falseDiscoveries {
			t.Errorf("%s · %s listed with P %v", it.Title, it.Where, it.p)
		}
	}
	if !success {
		for _, it := range w.Items {
			t.Logf("%s · %s %s", it.Title, it.Where, it.Change)
		}
		t.Error("the planted fall of new user success is not listed")
	}
	// The link of a segment: its segmentation, the others switched off.
	for _, it := range w.Items {
		if !strings.HasPrefix(it.Where, "OS: ") {
			continue
		}
		u, err := url.Parse(it.Href)
		if err != nil {
			t.Fatal(err)
		}
		q, _ := url.ParseQuery(u.Fragment)
		if q.Get("seg") != "OS" || strings.Contains(","+q.Get("off")+",", ","+strings.TrimPrefix(it.Where, "OS: ")+",") {
			t.Errorf("%s links to %s", it.Where, it.Href)
		}
		if !strings.Contains(q.Get("off"), "Windows 7") && it.Where != "OS: Windows 7" {
			t.Errorf("%s: the link does not switch the other segments off: %s", it.Where, it.Href)
		}
	}
}

// TestWhatChangedJudgesAsPackageStats recomputes one listed change from
// the sums of its days.
func TestWhatChangedJudgesAsPackageStats(t *testing.T) {
	s := fixtureSite(t, fixture{days: 40})
	last := len(s.ds.days) - 1
	var d kpiDef
	for _, k := range s.latest {
		if k.ID == "new_user_success" {
			d = k
		}
	}
	ser := s.results(d).cells["Total"]["Total"][""]
	var a, b stats.Sums
	for k := range 7 {
		ia, ib := s.ds.dayIndex[s.ds.days[last].AddDate(0, 0, -k-7)], s.ds.dayIndex[s.ds.days[last].AddDate(0, 0, -k)]
		if s.ds.covered[ia] && s.ds.covered[ib] { // a weekday without data in either week counts in neither
			a, b = a.Add(ser.sums[ia]), b.Add(ser.sums[ib])
		}
	}
	want := stats.DiffRates(a, b)
	for _, it := range s.whatChanged(last).Items {
		if it.Title == d.Title && it.Where == "Total" {
			if math.Abs(it.p-want.P) > 1e-12 || it.Within != signed("rate", want.Lo, stats.Rate(a).Value)+" to "+signed("rate", want.Hi, stats.Rate(a).Value) {
				t.Errorf("listed %+v, package stats says %+v", it, want)
			}
			return
		}
	}
	t.Errorf("new user success is not listed; package stats says %+v", want)
}

func TestURIComponentIsEncodeURIComponent(t *testing.T) {
	for in, want := range map[string]string{
		"Windows 7": "Windows%207", "a&b=c,d": "a%26b%3Dc%2Cd", "é": "%C3%A9", "-_.!~*'()": "-_.!~*'()", "#%": "%23%25",
	} {
		if got := uriComponent(in); got != want {
			t.Errorf("uriComponent(%q) = %q, want %q", in, got, want)
		}
	}
}

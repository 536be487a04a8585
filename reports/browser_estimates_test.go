package reports

import (
	"context"
	"database/sql"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/persona-kpi/kpi/stats"
)

// The browser tests of issue 15: the pages' intervals, bands, changes and
// "What changed", as readers see them.

// jsSeries is one series of KPIReport.view(): its values per period.
type jsSeries struct {
	Name, Segment, Step string
	V, Lo, Hi, Obs      []*float64
	Periods             []struct{ From, To string }
}

// viewOf opens a KPI page at a view and reads its series.
func viewOf(t *testing.T, ctx context.Context, url string) []jsSeries {
	t.Helper()
	open(t, ctx, url)
	return js[[]jsSeries](t, ctx, `return KPIReport.view()`)
}

// rangeSums adds a series' sums over the days from a to b, as the page
// should; it reports how many of those days have a result.
func rangeSums(days map[time.Time]stats.Sums, a, b string) (stats.Sums, int) {
	from, _ := time.Parse(time.DateOnly, a)
	to, _ := time.Parse(time.DateOnly, b)
	var out stats.Sums
	n := 0
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		if s, ok := days[d]; ok {
			out, n = out.Add(s), n+1
		}
	}
	return out, n
}

// sameEstimate compares a page's estimate with package stats's.
func sameEstimate(t *testing.T, what string, want stats.Interval, v, lo, hi *float64) {
	t.Helper()
	check := func(name string, w float64, got *float64) {
		if math.IsNaN(w) {
			if got != nil {
				t.Errorf("%s: %s %v on the page, package stats has none", what, name, *got)
			}
			return
		}
		if got == nil || math.Abs(*got-w) > 1e-9*math.Max(1, math.Abs(w)) {
			t.Errorf("%s: %s %v on the page, package stats says %v", what, name, deref(got), w)
		}
	}
	check("value", want.Value, v)
	check("lo", want.Lo, lo)
	check("hi", want.Hi, hi)
}

func deref(p *float64) any {
	if p == nil {
		return "none"
	}
	return *p
}

func latestVersion(t *testing.T, db *sql.DB, kpi string) int {
	t.Helper()
	var v int
	if err := db.QueryRow(`SELECT max(version) FROM kpis WHERE kpi = ?`, kpi).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBrowserRangesAreReestimatedAsGoDoes reads what the pages draw over
// weeks, months and 7-day averages, for segments too, and re-estimates
// every period from the database's sums with package stats: stats.js
// must give the same values and intervals.
func TestBrowserRangesAreReestimatedAsGoDoes(t *testing.T) {
	ctx, base, rec := served(t, 120)
	_, db := hostileSite(t)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	cases := []struct {
		page, kpi, segmentation, step, method string
		perDay                                bool
	}{
		{"new_users.html#seg=OS&g=week&range=all", "new_users", "OS", "", "total", false},
		{"sign_in_attempts.html#g=avg7", "sign_in_attempts", "Total", "", "total", true},
		{"new_user_success.html#seg=Browser&g=month&range=all", "new_user_success", "Browser", "", "rate", false},
		{"bounce_rate.html#g=avg7&from=2024-04-01&to=2024-05-12", "bounce_rate", "Total", "", "rate", false},
		// A funnel's share completing all steps: its last step's sums as a rate.
		{"new_user_flow.html#seg=Screen&g=week&range=all", "new_user_flow", "Screen", "4 - Logged in (assertion generated)", "rate", false},
		// A distribution's share of one category.
		{"sites_signed_in.v3.html#seg=OS&step=3&g=month&range=all", "sites_signed_in", "OS", "3 or more", "rate", false},
	}
	for _, c := range cases {
		version := latestVersion(t, db, c.kpi)
		if c.kpi == "sites_signed_in" {
			version = 3
		}
		var compared int
		for _, s := range viewOf(t, ctx, base+"/"+c.page) {
			if strings.HasSuffix(s.Segment, "…") {
				continue // cut for display: not the database's name
			}
			days := daySums(t, db, c.kpi, version, c.segmentation, s.Segment, c.step)
			for k, p := range s.Periods {
				sums, n := rangeSums(days, p.From, p.To)
				if n == 0 {
					continue
				}
				want := estimateSums(c.method, sums)
				if c.perDay {
					covered := js[int](t, ctx, `const d = JSON.parse(document.getElementById('kpi-data').textContent);
						return d.days.filter((day, i) => day >= %q && day <= %q && d.covered[i]).length`, p.From, p.To)
					want = stats.Interval{Value: want.Value / float64(covered), Lo: want.Lo / float64(covered), Hi: want.Hi / float64(covered)}
				}
				sameEstimate(t, c.page+" "+s.Segment+" "+p.From+".."+p.To, want, s.V[k], s.Lo[k], s.Hi[k])
				compared++
			}
		}
		if compared < 10 {
			t.Errorf("%s: only %d periods compared", c.page, compared)
		}
	}
	noProblems(t, ctx, rec)
}

// TestBrowserBandsAreDrawnAndSwitchedOff: every line of an estimate has
// its band, per segment too; the reader can switch them off and the URL
// keeps it; a census, a version describing the sample and the static
// charts follow their own rules.
func TestBrowserBandsAreDrawnAndSwitchedOff(t *testing.T) {
	ctx, base, rec := served(t, 120)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	count := func(sel string) int { return js[int](t, ctx, `return document.querySelectorAll(%q).length`, sel) }
	caption := func() string { return js[string](t, ctx, `return document.querySelector('#view-caption').textContent`) }

	open(t, ctx, base+"/new_users.html#seg=OS")
	lines, bands := count("#chart path.line"), count("#chart path.band")
	if lines < 10 || bands != lines {
		t.Errorf("OS: %d lines and %d bands, want one band per line", lines, bands)
	}
	if !strings.Contains(caption(), "shaded: 95% intervals") {
		t.Errorf("the caption %q does not say what is shaded", caption())
	}
	// Each band holds its line: the upper edge above, the lower below.
	if bad := js[int](t, ctx, `let bad = 0;
		for (const s of KPIReport.view()) s.v.forEach((v, k) => { if (v !== null && s.lo[k] !== null && (s.lo[k] > v + 1e-9 || s.hi[k] < v - 1e-9)) bad++; });
		return bad`); bad > 0 {
		t.Errorf("%d values outside their own interval", bad)
	}
	screenshot(t, ctx, "bands-os")
	do(t, ctx, chromedp.Click(chromedp.CSS("#band")))
	if n := count("#chart path.band"); n != 0 {
		t.Errorf("bands switched off: %d drawn", n)
	}
	if hash := js[string](t, ctx, `return location.hash`); !strings.Contains(hash, "band=0") {
		t.Errorf("the URL %q does not keep the bands off", hash)
	}
	do(t, ctx, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
	if n := count("#chart path.band"); n != 0 || js[bool](t, ctx, `return document.querySelector('#band').checked`) {
		t.Errorf("after a reload: %d bands drawn", n)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#band")))
	if n := count("#chart path.band"); n != lines {
		t.Errorf("bands back on: %d", n)
	}

	// A week of a funnel's steps, and its flow over time.
	open(t, ctx, base+"/new_user_flow.html#g=week")
	if n, l := count("#chart path.band"), count("#chart path.line"); n != l {
		t.Errorf("funnel per week: %d bands for %d lines", n, l)
	}
	if n := count("#flow path.band"); n != 3 {
		t.Errorf("flow over time: %d bands, want one per step after the first", n)
	}
	// Quantiles: per day, and the caption says why only per day.
	open(t, ctx, base+"/assertion_time.html")
	if n := count("#chart path.band"); n != 2 || !strings.Contains(caption(), "per day") {
		t.Errorf("quantiles: %d bands, caption %q", n, caption())
	}
	// A census is exact and the sample has no interval: no band, no switch.
	for _, page := range []string{"server_accounts_created.html", "new_user_flow.v1.html"} {
		open(t, ctx, base+"/"+page)
		if n := count("#chart path.band"); n != 0 || !js[bool](t, ctx, `return document.querySelector('#band-choice').hidden`) {
			t.Errorf("%s: %d bands, or a switch for none", page, n)
		}
	}
	noProblems(t, ctx, rec)
}

// TestBrowserColoursOnlyOnRealChanges: on the overview and a KPI page a
// coloured change always says better or worse beside its arrow, and only
// those are coloured; every other change reads "no clear change" or "not
// judged", on the neutral background.
func TestBrowserColoursOnlyOnRealChanges(t *testing.T) {
	ctx, base, rec := served(t, 120)
	for _, page := range []string{"index.html", "new_user_success.html", "bounce_rate.html", "new_users.html", "orphaned_rate.html"} {
		open(t, ctx, base+"/"+page)
		badges := js[[]struct{ Class, Text, Arrow, Background, Title string }](t, ctx, `return [...document.querySelectorAll('main .change')].map(b => ({
			Class: b.className, Text: b.textContent.trim(), Arrow: (b.querySelector('[aria-hidden]') || {}).textContent || '',
			Background: getComputedStyle(b).backgroundColor, Title: b.title }))`)
		if len(badges) == 0 {
			t.Fatalf("%s: no change shown", page)
		}
		neutral := js[string](t, ctx, `const s = document.createElement('span'); s.className = 'change'; document.body.appendChild(s);
			const c = getComputedStyle(s).backgroundColor; s.remove(); return c`)
		for _, b := range badges {
			good, bad := strings.Contains(b.Class, "good"), strings.Contains(b.Class, "bad")
			switch {
			case good || bad:
				word := map[bool]string{true: "better", false: "worse"}[good]
				if !strings.HasSuffix(b.Text, word) || (b.Arrow != "▲" && b.Arrow != "▼") || b.Background == neutral {
					t.Errorf("%s: a coloured change %+v must show its arrow, %q and its colour", page, b, word)
				}
			case strings.Contains(b.Text, "better") || strings.Contains(b.Text, "worse"):
				t.Errorf("%s: %q is not coloured", page, b.Text)
			case !strings.Contains(b.Text, "no clear change") && !strings.Contains(b.Text, "not judged") && !strings.Contains(b.Text, "clear "):
				t.Errorf("%s: a change %q says nothing of whether it is real", page, b.Text)
			case b.Title == "":
				t.Errorf("%s: %q does not say why it is not coloured", page, b.Text)
			}
		}
	}
	noProblems(t, ctx, rec)
}

// TestBrowserWhatChangedLinksToTheSegment follows the overview's changes
// to their KPI pages: each opens on its segmentation with its segment
// alone, hostile names included; and a site where nothing changed says
// so.
func TestBrowserWhatChangedLinksToTheSegment(t *testing.T) {
	ctx, base, rec := served(t, 120)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	open(t, ctx, base+"/index.html")
	links := js[[]struct{ Href, Text string }](t, ctx, `return [...document.querySelectorAll('.change-list a')].map(a => ({Href: a.getAttribute('href'), Text: a.textContent}))`)
	if len(links) < 5 {
		t.Fatalf("What changed lists %d changes", len(links))
	}
	screenshot(t, ctx, "what-changed")
	var followed int
	for _, l := range links {
		parts := strings.Split(l.Text, " · ")
		where, _, segmented := strings.Cut(parts[1], ": ")
		if !segmented || followed >= 4 {
			continue
		}
		segment := strings.TrimPrefix(parts[1], where+": ")
		open(t, ctx, base+"/"+l.Href)
		st := js[struct {
			Segmentation string
			Series       []string
		}](t, ctx, `return KPIReport.state()`)
		if st.Segmentation != where || len(st.Series) != 1 || st.Series[0] != segment {
			t.Errorf("%q opens %+v, want %s alone", l.Text, st, segment)
		}
		noProblems(t, ctx, rec)
		followed++
	}
	if followed == 0 {
		t.Error("no segment's change to follow")
	}

	// Nothing changed: the stationary fixture.
	db := newFixtureDB(t, fixture{days: 60, hostile: true, stationary: true})
	files, err := Build(context.Background(), db, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	if err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(http.Dir(dir)))
	defer srv.Close()
	open(t, ctx, srv.URL+"/index.html")
	if got := js[string](t, ctx, `return document.querySelector('.changes').textContent`); !strings.Contains(got, "Nothing changed beyond noise") {
		t.Errorf("a site where nothing changed says %q", got)
	}
	noProblems(t, ctx, rec)
}

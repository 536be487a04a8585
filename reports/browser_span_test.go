package reports

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserACutAxisDrawsAndReaggregates opens a KPI page of the site
// whose data lies on two days fifteen years apart: report.js draws both
// days with the cut between them, says which days it left out, and
// combines weeks, months and 7-day averages on either side of the cut
// only; the range buttons and dates go by the calendar.
func TestBrowserACutAxisDrawsAndReaggregates(t *testing.T) {
	ctx := browser(t)
	files, err := Build(context.Background(), newSpanDB(t, true), testOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	if err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(Handler(http.Dir(dir)))
	defer srv.Close()
	rec := watch(t, ctx)

	cut := "No data from 2012-01-03 to 2026-10-31 (5,416 days, left out)"
	open(t, ctx, srv.URL+"/sign_in_attempts.v1.html#range=all")
	if got := js[[]string](t, ctx, `return [...document.querySelectorAll('#chart .axis-cut title')].map(e => e.textContent)`); len(got) != 1 || got[0] != cut {
		t.Errorf("cuts %q, want one: %s", got, cut)
	}
	if d := js[string](t, ctx, `return document.querySelector('#chart path.line').getAttribute('d')`); strings.Count(d, "M") != 2 || strings.Contains(d, "L") {
		t.Errorf("the line %q is not lifted at the cut", d)
	}
	if n := js[int](t, ctx, `return document.querySelectorAll('#chart circle.dot').length`); n != 2 {
		t.Errorf("%d dots, want the two days", n)
	}
	caption := js[string](t, ctx, `return document.querySelector('#view-caption').textContent`)
	if !strings.Contains(caption, "all 5,418 days, 2012-01-02 to 2026-11-01 (5,416 days without data left out)") {
		t.Errorf("caption %q", caption)
	}
	for _, g := range []string{"week", "month", "avg7"} {
		open(t, ctx, srv.URL+"/sign_in_attempts.v1.html#range=all&g="+g)
		periods := js[[]string](t, ctx, `return KPIReport.state().periods.map(p => p.from + '..' + p.to)`)
		if len(periods) != 2 || periods[0] != "2012-01-02..2012-01-02" || periods[1] != "2026-11-01..2026-11-01" {
			t.Errorf("%s: periods %q, want one on each side of the cut", g, periods)
		}
		if n := js[int](t, ctx, `return document.querySelectorAll('#chart .axis-cut').length`); n != 1 {
			t.Errorf("%s: %d cuts", g, n)
		}
	}
	// The range buttons count calendar days: the last 30 hold one day.
	open(t, ctx, srv.URL+"/sign_in_attempts.v1.html")
	do(t, ctx, chromedp.Click(chromedp.CSS(`button[data-days="30"]`)))
	if s := js[string](t, ctx, `const s = KPIReport.state(); return s.from + ' ' + s.to + ' ' + s.periods.length`); s != "2026-11-01 2026-11-01 1" {
		t.Errorf("last 30 days: %s", s)
	}
	// A date inside the cut moves to the first day after it.
	js[bool](t, ctx, `const f = document.querySelector('#from'); f.value = '2020-06-01'; f.dispatchEvent(new Event('change')); return true`)
	if s := js[string](t, ctx, `return KPIReport.state().from`); s != "2026-11-01" {
		t.Errorf("from 2020-06-01: %s", s)
	}
	noProblems(t, ctx, rec)
	screenshot(t, ctx, "cut-axis")
}

package reports

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser tests of issue 16: the pages as readers use them, on a
// phone, by touch, by keyboard, over weeks and months, in dark mode and
// printed.

// served builds the hostile fixture's site, serves it as kpi serve does,
// and opens a browser watching for problems.
func served(t *testing.T, days int) (context.Context, string, *recorder) {
	t.Helper()
	ctx := browser(t)
	dir, _ := buildSite(t, days)
	srv := httptest.NewServer(Handler(http.Dir(dir)))
	t.Cleanup(srv.Close)
	return ctx, srv.URL, watch(t, ctx)
}

// open loads a page and waits until report.js has drawn it.
func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	do(t, ctx, chromedp.Navigate(url), chromedp.WaitReady(chromedp.CSS("main")))
	if name := url[strings.LastIndex(url, "/")+1:]; scripted(strings.SplitN(name, "#", 2)[0]) {
		do(t, ctx, chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
	}
}

// noProblems fails on anything the page reported and on what pageChecks
// finds.
func noProblems(t *testing.T, ctx context.Context, rec *recorder) {
	t.Helper()
	for _, p := range eval[[]string](t, ctx, pageChecks) {
		t.Error(p)
	}
	_, problems := rec.take()
	for _, p := range problems {
		t.Error(p)
	}
}

// js runs a function body in the page and returns its result.
func js[T any](t *testing.T, ctx context.Context, body string, args ...any) T {
	t.Helper()
	return eval[T](t, ctx, "(() => {"+fmt.Sprintf(body, args...)+"})()")
}

// visibleChart is an expression for the chart svg the reader sees in a
// figure: the script's, or the server's variant for this width.
func visibleChart(figure string) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#%s svg')].find(s => getComputedStyle(s).display !== 'none')`, figure)
}

// overlaps lists pairs of elements matching sel (inside the visible chart
// of figure) whose boxes overlap, by their text or index.
const overlapsJS = `const els = [...(%s).querySelectorAll(%q)];
	const boxes = els.map(e => e.getBoundingClientRect());
	const out = [];
	for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
		const a = boxes[i], b = boxes[j];
		if (a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
			out.push((els[i].textContent || i) + ' / ' + (els[j].textContent || j));
	}
	return out;`

// smallText lists the text of charts drawn smaller than min px.
const smallTextJS = `const out = [];
	for (const svg of document.querySelectorAll('main svg')) {
		if (getComputedStyle(svg).display === 'none' || svg.classList.contains('logo') || svg.classList.contains('spark')) continue;
		const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
		for (const t of svg.querySelectorAll('text')) {
			const px = parseFloat(getComputedStyle(t).fontSize) * scale;
			if (px < %v) out.push(svg.getAttribute('class') + ': ' + t.textContent + ' at ' + px.toFixed(1) + 'px');
		}
	}
	return out;`

func TestBrowserMilestonesDoNotCollide(t *testing.T) {
	ctx, base, rec := served(t, 120)
	for _, width := range []int64{1400, 390} {
		do(t, ctx, chromedp.EmulateViewport(width, 900))
		open(t, ctx, base+"/new_user_flow.html")
		chart := visibleChart("chart")
		// Every milestone in the 90 days shown, as a numbered badge.
		if n := js[int](t, ctx, `return (%s).querySelectorAll('.marker').length`, chart); n != 12 {
			t.Errorf("%dpx: %d markers, want the 12 milestones within the range", width, n)
		}
		if o := js[[]string](t, ctx, overlapsJS, chart, ".badge"); len(o) > 0 {
			t.Errorf("%dpx: milestone badges overlap: %v", width, o)
		}
		if o := js[[]string](t, ctx, overlapsJS, chart, ".axis.y text, .axis-label"); len(o) > 0 {
			t.Errorf("%dpx: the y-axis title covers its labels: %v", width, o)
		}
		if cut := js[int](t, ctx, `const r = (%s).getBoundingClientRect();
			return [...document.querySelectorAll('#chart .badge, #chart text')].filter(e => e.getBoundingClientRect().left < r.left - 0.5).length`, chart); cut > 0 {
			t.Errorf("%dpx: %d chart labels start left of the chart", width, cut)
		}
		if n := js[int](t, ctx, `return (%s).querySelectorAll('.milestone-span').length`, chart); n != 1 {
			t.Errorf("%dpx: %d shaded ranges, want the outage", width, n)
		}
		// The list under the chart: decoded entities, markup as text.
		list := js[string](t, ctx, `return document.querySelector('#milestone-list').innerText`)
		for _, want := range []string{"α release", `Fix <b>"quoted"</b> & more`, "<img src=x onerror=window.__pwned=1> & β", "2024-05-13 to 2024-05-15 kpiggybank outage"} {
			if !strings.Contains(list, want) {
				t.Errorf("%dpx: the milestone list lacks %q:\n%s", width, want, list)
			}
		}
		if strings.Contains(list, "&alpha;") || strings.Contains(list, "Outside the data") {
			t.Errorf("%dpx: the list shows an undecoded entity or a milestone outside the data:\n%s", width, list)
		}
		screenshot(t, ctx, fmt.Sprintf("milestones-%d", width))
		noProblems(t, ctx, rec)
	}

	// Hover: the badge shows its label.
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	open(t, ctx, base+"/new_user_flow.html")
	xy := js[[]float64](t, ctx, `const r = document.querySelector('#chart .marker[data-n="4"] .badge').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]`)
	do(t, ctx, chromedp.MouseEvent("mouseMoved", xy[0], xy[1]))
	if got := js[string](t, ctx, `const t = document.querySelector('#chart .tip'); return t.hidden ? '' : t.textContent`); !strings.Contains(got, "Gmail Bridge Live") {
		t.Errorf("hovering badge 4 shows %q, want its label", got)
	}
	viewportShot(t, ctx, "milestones-hover")
	// Keyboard: focusing a milestone's link shows it on the chart.
	do(t, ctx, chromedp.MouseEvent("mouseMoved", 5, 5), chromedp.Focus(chromedp.CSS(`#milestone-list li[data-n="9"] a`)))
	if got := js[string](t, ctx, `const t = document.querySelector('#chart .tip'); return t.hidden ? '' : t.textContent`); !strings.Contains(got, `Fix <b>"quoted"</b> & more`) {
		t.Errorf("focusing milestone 9 shows %q on the chart", got)
	}
	if !js[bool](t, ctx, `return document.querySelector('#chart .marker[data-n="9"]').classList.contains('active')`) {
		t.Error("focusing milestone 9 does not mark its badge")
	}
	// The readout of a day names its milestones.
	do(t, ctx, chromedp.Focus(chromedp.CSS("#chart svg")), chromedp.KeyEvent(kb.End))
	for range 3 {
		do(t, ctx, chromedp.KeyEvent(kb.ArrowLeft))
	}
	if got := js[string](t, ctx, `return document.querySelector('#chart .tip').textContent`); !strings.Contains(got, "2024-05-27") || !strings.Contains(got, "12 · <img src=x") {
		t.Errorf("the readout of 2024-05-27 does not name its milestone: %q", got)
	}
	// A range narrows the list to its milestones.
	do(t, ctx, chromedp.Click(chromedp.CSS(`button[data-days="7"]`)))
	if got := js[int](t, ctx, `return [...document.querySelectorAll('#milestone-list li')].filter(li => !li.hidden).length`); got != 1 {
		t.Errorf("7 days: %d milestones listed, want the one of 2024-05-27", got)
	}
	// A milestone that names KPIs is only on theirs.
	open(t, ctx, base+"/sign_in_attempts.html")
	if text := js[string](t, ctx, `return document.querySelector('#milestone-list').textContent`); strings.Contains(text, "Train 2024.05.22") {
		t.Error("a milestone for new_user_flow and new_user_success is listed for sign_in_attempts")
	}
	noProblems(t, ctx, rec)

	// Its page: the week before and after, for the KPIs it names.
	open(t, ctx, base+"/new_user_flow.html")
	do(t, ctx, chromedp.Click(chromedp.CSS(`#milestone-list li[data-n="11"] a`)), chromedp.WaitReady(chromedp.CSS("table.compare")))
	if got := js[[]string](t, ctx, `return [...document.querySelectorAll('table.compare tbody th')].map(th => th.textContent)`); strings.Join(got, ",") != "New user flow (estimated),New user success (estimated)" {
		t.Errorf("Train 2024.05.22 compares %v, want the two KPIs it names", got)
	}
	screenshot(t, ctx, "milestone-page")
	noProblems(t, ctx, rec)
}

func TestBrowserATapPinsTheReadout(t *testing.T) {
	ctx, base, rec := served(t, 120)
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	open(t, ctx, base+"/sign_in_attempts.html")
	js[bool](t, ctx, `document.querySelector('#chart').scrollIntoView({block: 'center'}); return true`)
	box := js[[]float64](t, ctx, `const r = document.querySelector('#chart .overlay').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]`)
	readout := func() string {
		return js[string](t, ctx, `const t = document.querySelector('#chart .tip'); return t.hidden ? '' : t.querySelector('.tip-day').textContent`)
	}
	do(t, ctx, chromedp.TapXY(box[0]+box[2]*0.3, box[1]+box[3]/2))
	time.Sleep(300 * time.Millisecond) // the pointerleave that follows a touch
	first := readout()
	if first == "" {
		t.Fatal("a tap on the chart shows no readout, or the touch's pointerleave hid it")
	}
	viewportShot(t, ctx, "touch-pinned")
	do(t, ctx, chromedp.TapXY(box[0]+box[2]*0.8, box[1]+box[3]/2))
	time.Sleep(300 * time.Millisecond)
	if second := readout(); second == "" || second == first {
		t.Errorf("a second tap elsewhere: readout %q, want it moved from %q", second, first)
	}
	// A tap outside the chart ends it.
	title := js[[]float64](t, ctx, `const r = document.querySelector('#chart-heading').getBoundingClientRect(); return [r.left + 5, r.top + 5]`)
	do(t, ctx, chromedp.TapXY(title[0], title[1]))
	time.Sleep(200 * time.Millisecond)
	if got := readout(); got != "" {
		t.Errorf("a tap outside the chart leaves the readout %q", got)
	}
	// A tap on a milestone's badge shows its label, and keeps it.
	b := js[[]float64](t, ctx, `const r = document.querySelector('#chart .marker[data-n="5"] .badge').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]`)
	do(t, ctx, chromedp.TapXY(b[0], b[1]))
	time.Sleep(300 * time.Millisecond)
	if got := js[string](t, ctx, `const t = document.querySelector('#chart .tip'); return t.hidden ? '' : t.textContent`); !strings.Contains(got, "New dialog design") {
		t.Errorf("a tap on badge 5 shows %q", got)
	}
	noProblems(t, ctx, rec)
}

func TestBrowserPhoneChartsAreDrawnForTheirWidth(t *testing.T) {
	ctx, base, rec := served(t, 120)
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	for _, name := range []string{"new_user_flow.html", "sign_in_attempts.html", "assertion_time.html", "health.html"} {
		open(t, ctx, base+"/"+name)
		if small := js[[]string](t, ctx, smallTextJS, 10); len(small) > 0 {
			t.Errorf("%s at 390px: chart text under 10px: %v", name, small[:min(5, len(small))])
		}
		if w := js[float64](t, ctx, `return document.documentElement.scrollWidth`); w > 390 {
			t.Errorf("%s: the page is %vpx wide on a 390px screen", name, w)
		}
		if o := js[[]string](t, ctx, overlapsJS, `document.querySelector('main')`, ".axis.y text, .axis-label"); len(o) > 0 {
			t.Errorf("%s: the y-axis title covers its labels: %v", name, o)
		}
	}
	// The funnel table scrolls sideways on a phone, and says so.
	open(t, ctx, base+"/new_user_flow.html")
	if !js[bool](t, ctx, `const box = document.querySelector('.funnel-card .table-scroll'); return box.scrollWidth > box.clientWidth`) {
		t.Fatal("the funnel table fits a phone: the scrolling sign is untested")
	}
	if !js[bool](t, ctx, `const h = document.querySelector('.funnel-card .table-scroll').previousElementSibling; return h.classList.contains('scroll-hint') && h.offsetHeight > 0`) {
		t.Error("the funnel table scrolls sideways without a sign")
	}
	// The funnel's names stand above their bars.
	if o := js[[]string](t, ctx, overlapsJS, `document.querySelector('#funnel svg')`, ".step-name, .bar"); len(o) > 0 {
		t.Errorf("funnel: names and bars overlap: %v", o)
	}
	noProblems(t, ctx, rec)
	// Without script, the server's narrow drawing is shown.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"new_user_flow.html", "health.html"} {
		do(t, ctx, chromedp.Navigate(base+"/"+name), chromedp.WaitReady(chromedp.CSS("main")))
		if small := js[[]string](t, ctx, smallTextJS, 9.5); len(small) > 0 {
			t.Errorf("%s without script at 390px: chart text too small: %v", name, small[:min(5, len(small))])
		}
		screenshot(t, ctx, "noscript-phone-"+strings.TrimSuffix(name, ".html"))
	}
}

func TestBrowserFunnelNamesAreNotCoveredByTheirBars(t *testing.T) {
	ctx, base, rec := served(t, 60)
	for _, width := range []int64{1024, 1400} {
		do(t, ctx, chromedp.EmulateViewport(width, 900))
		for _, name := range []string{"new_user_flow.html", "general_progress.html", "email_addition_flow.html"} {
			open(t, ctx, base+"/"+name)
			if o := js[[]string](t, ctx, overlapsJS, `document.querySelector('#funnel svg')`, ".step-name, .bar, .step-value"); len(o) > 0 {
				t.Errorf("%s at %dpx: funnel labels and bars overlap: %v", name, width, o)
			}
			if out := js[int](t, ctx, `const r = document.querySelector('#funnel svg').getBoundingClientRect();
				return [...document.querySelectorAll('#funnel text')].filter(e => e.getBoundingClientRect().right > r.right + 1).length`); out > 0 {
				t.Errorf("%s at %dpx: %d funnel labels run past the chart", name, width, out)
			}
		}
	}
	// Printed, the charts are drawn again for the paper: a listener added
	// after report.js's sees them as printed.
	js[bool](t, ctx, `window.__printed = null;
		matchMedia('print').addEventListener('change', e => {
			if (!e.matches) return;
			const s = document.querySelector('#chart svg'), f = document.querySelector('#funnel svg');
			const names = [...f.querySelectorAll('.step-name')].map(n => n.getBoundingClientRect()), bars = [...f.querySelectorAll('.bar')].map(b => b.getBoundingClientRect());
			window.__printed = {drawn: s.viewBox.baseVal.width, width: s.getBoundingClientRect().width,
				covered: names.filter(n => bars.some(b => n.left < b.right && b.left < n.right && n.top < b.bottom && b.top < n.bottom)).length};
		});
		return true`)
	if _, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4))); err != nil {
		t.Fatal(err)
	}
	printed := js[map[string]float64](t, ctx, `return window.__printed || {}`)
	if printed["drawn"] < 600 || printed["drawn"] > 760 {
		t.Errorf("printed, the chart is drawn %vpx wide, not for the paper", printed["drawn"])
	}
	if printed["covered"] > 0 {
		t.Errorf("printed, %v funnel step names are covered by bars", printed["covered"])
	}
	noProblems(t, ctx, rec)
}

func TestBrowserOverlappingStepsStayVisible(t *testing.T) {
	ctx, base, rec := served(t, 120)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	// Version 1, the original's counts: step 4 often equals step 3.
	open(t, ctx, base+"/new_user_flow.v1.html")
	dashes := js[[]string](t, ctx, `return [...document.querySelectorAll('#chart path.line')].map(p => getComputedStyle(p).strokeDasharray)`)
	seen := map[string]bool{}
	for _, d := range dashes {
		seen[d] = true
	}
	if len(dashes) != 4 || len(seen) != 4 {
		t.Errorf("step lines are drawn %v: each needs its own dash pattern", dashes)
	}
	legend := js[string](t, ctx, `return document.querySelector('#legend').textContent`)
	if !strings.Contains(legend, "same as “3 - Email verified” on") {
		t.Errorf("the legend does not say step 4 lies on step 3: %q", legend)
	}
	// The server-drawn legend says so too.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(base+"/new_user_flow.v1.html"), chromedp.WaitReady(chromedp.CSS("main")))
	if legend := js[string](t, ctx, `return document.querySelector('#legend').textContent`); !strings.Contains(legend, "same as “3 - Email verified” on") {
		t.Errorf("without script, the legend does not say step 4 lies on step 3: %q", legend)
	}
	noProblems(t, ctx, rec)
}

func TestBrowserEveryChoiceSurvivesAReload(t *testing.T) {
	ctx, base, rec := served(t, 120)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	open(t, ctx, base+"/new_user_success.html")
	set := func(sel, value string) {
		t.Helper()
		js[bool](t, ctx, `const s = document.querySelector(%q); s.value = %q; s.dispatchEvent(new Event('change', {bubbles: true})); return true`, sel, value)
	}
	set("#segmentation", "OS")
	set("#from", "2024-03-20")
	set("#to", "2024-05-19")
	set("#grain", "week")
	// Switch off two segments, one of them hostile (the legend is drawn
	// anew after each).
	for _, name := range []string{"Linux", evilScript} {
		js[bool](t, ctx, `const l = [...document.querySelectorAll('#legend label')].find(l => l.querySelector('.legend-name').textContent === %q);
			l.querySelector('input').click(); return true`, name)
	}
	before := js[string](t, ctx, `return JSON.stringify(KPIReport.state())`)
	hash := js[string](t, ctx, `return location.hash`)
	for _, want := range []string{"seg=OS", "from=2024-03-20", "to=2024-05-19", "g=week", "off="} {
		if !strings.Contains(hash, want) {
			t.Errorf("the URL %q lacks %q", hash, want)
		}
	}
	do(t, ctx, chromedp.Reload(), chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
	if after := js[string](t, ctx, `return JSON.stringify(KPIReport.state())`); after != before {
		t.Errorf("after a reload the view is\n%s\nwant\n%s", after, before)
	}
	if off := js[[]string](t, ctx, `return [...document.querySelectorAll('#legend label.off .legend-name')].map(e => e.textContent)`); len(off) != 2 {
		t.Errorf("after a reload the switched-off segments are %q", off)
	}
	// A shared link opens the same view in a fresh tab.
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	do(t, tab, chromedp.Navigate(base+"/new_user_success.html"+hash), chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
	if shared := js[string](t, tab, `return JSON.stringify(KPIReport.state())`); shared != before {
		t.Errorf("the shared link opens\n%s\nwant\n%s", shared, before)
	}
	// The band choice is kept too, for when results carry intervals.
	open(t, ctx, base+"/new_user_flow.html#band=0&step=2&g=month&range=all")
	if st := js[string](t, ctx, `const s = KPIReport.state(); return [s.band, s.grain, s.from].join(' ')`); st != "false month 2024-02-01" {
		t.Errorf("band, granularity and range from the URL: %q", st)
	}
	if hash := js[string](t, ctx, `document.querySelector('button[data-days="30"]').click(); return location.hash`); !strings.Contains(hash, "band=0") || !strings.Contains(hash, "g=month") {
		t.Errorf("a later choice dropped band or granularity from the URL: %q", hash)
	}
	noProblems(t, ctx, rec)
}

// tableRowJS reads the cells of the values table's row whose first cell
// starts with a text.
const tableRowJS = `const tr = [...document.querySelectorAll('#data-table tbody tr')].find(tr => tr.querySelector('th').textContent.startsWith(%q));
	return tr ? [...tr.children].map(c => c.textContent) : [];`

func TestBrowserWeeksAndMonthsReaggregate(t *testing.T) {
	ctx, base, rec := served(t, 120)
	_, db := hostileSite(t) // the same fixture, for the expected values
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	sum := func(q string, args ...any) float64 {
		t.Helper()
		var v float64
		if err := db.QueryRow(q, args...).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}

	// A count sums its days; weeks run Monday to Sunday.
	open(t, ctx, base+"/sign_in_attempts.v1.html#g=week")
	row := js[[]string](t, ctx, tableRowJS, "2024-W15")
	want := sum(`SELECT sum(value) FROM kpi_results WHERE kpi = 'sign_in_attempts' AND version = 1 AND segmentation = 'Total'
		AND day BETWEEN DATE '2024-04-08' AND DATE '2024-04-14'`)
	if len(row) < 2 || row[0] != "2024-W15 (Apr 8 to Apr 14)" || row[1] != formatValue("count", want) {
		t.Errorf("week 15 of sign-in attempts: %q, want %s", row, formatValue("count", want))
	}
	// The ends of the range and the week with a missing day are partial.
	partial := js[[]string](t, ctx, `return [...document.querySelectorAll('#data-table tbody th')].filter(th => th.querySelector('.partial')).map(th => th.textContent)`)
	if len(partial) != 3 || !strings.Contains(strings.Join(partial, "|"), "2024-W20 (May 13 to May 19) (partial: 6 of 7 days)") {
		t.Errorf("partial weeks %q, want the two ends and the week of the missing day", partial)
	}
	if n := js[int](t, ctx, `return document.querySelectorAll('#chart circle.dot.partial').length`); n != 3 {
		t.Errorf("%d hollow points, want one per partial week", n)
	}
	csv := js[string](t, ctx, `return KPIReport.csv()`)
	if !strings.HasPrefix(csv, "kpi,version,granularity,from,to,segmentation,segment,step,value,numerator,denominator,lo,hi,n,days_with_data,partial\r\n") ||
		!strings.Contains(csv, "\r\nsign_in_attempts,1,week,2024-04-08,2024-04-14,Total,Total,,"+strconv.FormatFloat(want, 'g', -1, 64)+",") {
		t.Errorf("the weekly CSV does not follow the view:\n%.400s", csv)
	}
	screenshot(t, ctx, "weeks")

	// A rate pools its numerators and denominators (version 1's counts,
	// the latest's weighted ones).
	open(t, ctx, base+"/new_user_success.html#g=month&range=all")
	row = js[[]string](t, ctx, tableRowJS, "Apr 2024")
	n := sum(`SELECT sum(numerator) FROM kpi_results WHERE kpi = 'new_user_success' AND version = 2 AND segmentation = 'Total' AND month(day) = 4`)
	d := sum(`SELECT sum(denominator) FROM kpi_results WHERE kpi = 'new_user_success' AND version = 2 AND segmentation = 'Total' AND month(day) = 4`)
	if len(row) != 5 || !strings.HasPrefix(row[1], formatValue("rate", n/d)) || row[2] != formatNumber(n) || row[3] != formatNumber(d) {
		t.Errorf("April of new user success: %q, want %s = %v / %v", row, formatValue("rate", n/d), n, d)
	}
	if got := js[string](t, ctx, `return document.querySelector('#data-table thead th').textContent`); got != "Month" {
		t.Errorf("monthly table's first column %q", got)
	}

	// A 7-day average of a count is the mean of the 7 days that end on it.
	open(t, ctx, base+"/sign_in_attempts.v1.html#g=avg7")
	row = js[[]string](t, ctx, tableRowJS, "2024-05-10")
	avg := sum(`SELECT avg(value) FROM kpi_results WHERE kpi = 'sign_in_attempts' AND version = 1 AND segmentation = 'Total'
		AND day BETWEEN DATE '2024-05-04' AND DATE '2024-05-10'`)
	if len(row) < 2 || row[1] != formatValue("count", avg) {
		t.Errorf("7-day average on 2024-05-10: %q, want %s", row, formatValue("count", avg))
	}

	// Funnels combine counts; their flow over time pools each step's counts.
	open(t, ctx, base+"/new_user_flow.html#g=week")
	do(t, ctx, chromedp.Focus(chromedp.CSS("#flow svg")), chromedp.KeyEvent(kb.Home), chromedp.KeyEvent(kb.ArrowRight))
	tip := js[string](t, ctx, `return document.querySelector('#flow .tip').textContent`)
	s1 := sum(`SELECT sum(value) FROM kpi_results WHERE kpi = 'new_user_flow' AND version = 2 AND segmentation = 'Total' AND step LIKE '1 -%' AND day BETWEEN DATE '2024-03-04' AND DATE '2024-03-10'`)
	s2 := sum(`SELECT sum(value) FROM kpi_results WHERE kpi = 'new_user_flow' AND version = 2 AND segmentation = 'Total' AND step LIKE '2 -%' AND day BETWEEN DATE '2024-03-04' AND DATE '2024-03-10'`)
	if !strings.Contains(tip, "2024-W10") || !strings.Contains(tip, "2 - Choose password"+formatValue("rate", s2/s1)) {
		t.Errorf("flow over time in week 10: %q, want step 2 at %s of step 1", tip, formatValue("rate", s2/s1))
	}

	// Quantiles are not combined: only days are offered, and the page says why.
	open(t, ctx, base+"/assertion_time.html#g=week")
	if g := js[string](t, ctx, `return KPIReport.state().grain + ' ' + document.querySelector('#grain').disabled`); g != "day true" {
		t.Errorf("quantiles: granularity %q, want day only", g)
	}
	if note := js[string](t, ctx, `return document.querySelector('#grain-note').textContent`); !strings.Contains(note, "per day only") {
		t.Errorf("quantiles: the note %q does not say why", note)
	}
	noProblems(t, ctx, rec)
}

func TestBrowserFlowOverTimeIsEachStepOverTheFirst(t *testing.T) {
	ctx, base, rec := served(t, 120)
	_, db := hostileSite(t)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	open(t, ctx, base+"/new_user_flow.html")
	if n := js[int](t, ctx, `return document.querySelectorAll('#flow path.line').length`); n != 3 {
		t.Errorf("flow over time: %d lines, want one per step after the first", n)
	}
	do(t, ctx, chromedp.Focus(chromedp.CSS("#flow svg")), chromedp.KeyEvent(kb.End))
	tip := js[string](t, ctx, `return document.querySelector('#flow .tip').textContent`)
	rows, err := db.Query(`SELECT step, value / first_value(value) OVER (ORDER BY step) FROM kpi_results
		WHERE kpi = 'new_user_flow' AND version = 2 AND segmentation = 'Total' AND day = DATE '2024-05-30'
		  AND regexp_matches(step, '^[0-9]') ORDER BY step`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var step string
		var share float64
		if err := rows.Scan(&step, &share); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(step, "1 -") && !strings.Contains(tip, step+formatValue("rate", share)) {
			t.Errorf("flow on 2024-05-30: %q lacks %s at %s", tip, step, formatValue("rate", share))
		}
	}
	noProblems(t, ctx, rec)
}

func TestBrowserLabelsAndWording(t *testing.T) {
	ctx, base, rec := served(t, 60)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	open(t, ctx, base+"/index.html")
	questions := js[[]string](t, ctx, `return [...document.querySelectorAll('.tile .question')].map(q => q.textContent)`)
	seen := map[string]bool{}
	for _, q := range questions {
		if seen[q] {
			t.Errorf("two tiles ask %q", q)
		}
		seen[q] = true
	}
	notes := js[map[string]string](t, ctx, `return Object.fromEntries([...document.querySelectorAll('.tile')].map(t => [t.querySelector('h2').textContent, t.querySelector('.note').textContent]))`)
	if n := notes["New user flow (estimated)"]; !strings.Contains(n, "at “1 - Enter email”, the share reaching “4 - Logged in (assertion generated)”") {
		t.Errorf("the funnel tile's subtitle %q does not say what it is a share of", n)
	}
	if n := notes["New user success (estimated)"]; !regexp.MustCompile(`an estimated [0-9,]+ of [0-9,]+ sessions`).MatchString(n) {
		t.Errorf("the rate tile's subtitle %q gives no numerator and denominator", n)
	}
	open(t, ctx, base+"/new_user_success.html")
	if label := js[string](t, ctx, `return document.querySelector('#chart .axis-label').textContent`); label == "Share of sessions" {
		t.Errorf("new user success is labelled %q, but its denominator is new-user outcomes", label)
	}
	open(t, ctx, base+"/bounce_rate.html")
	if js[bool](t, ctx, `return document.querySelector('#segmentation') !== null`) {
		t.Error("a KPI without segments offers a segmentation choice")
	}
	noProblems(t, ctx, rec)
}

// contrastJS gives the contrast ratio of every chart colour against the
// card, as the page computes them.
const contrastJS = `const probe = document.createElement('span');
	document.body.appendChild(probe);
	const rgb = c => { probe.style.color = c; return getComputedStyle(probe).color.match(/[\d.]+/g).map(Number); };
	const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
	const root = getComputedStyle(document.documentElement);
	const card = lum(root.getPropertyValue('--card'));
	const out = {};
	for (const name of ['c0','c1','c2','c3','c4','c5','c6','c7','c8','c9','c10','cother','cq','marker']) {
		const l = lum(root.getPropertyValue('--' + name));
		out[name] = (Math.max(l, card) + 0.05) / (Math.min(l, card) + 0.05);
	}
	probe.remove();
	out.card = card;
	return out;`

func TestBrowserDarkModeAndPrint(t *testing.T) {
	ctx, base, rec := served(t, 120)
	do(t, ctx, chromedp.EmulateViewport(1400, 900))
	for _, scheme := range []string{"light", "dark"} {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatal(err)
		}
		open(t, ctx, base+"/new_user_flow.html")
		c := js[map[string]float64](t, ctx, contrastJS)
		if dark := c["card"] < 0.05; dark != (scheme == "dark") {
			t.Errorf("%s: the card's luminance is %.3f", scheme, c["card"])
		}
		delete(c, "card")
		for name, ratio := range c {
			if ratio < 3 {
				t.Errorf("%s: --%s has %.2f:1 against the card, want 3:1", scheme, name, ratio)
			}
		}
		screenshot(t, ctx, "scheme-"+scheme)
	}
	// Printed, the overview takes four pages: What changed (its first
	// changes), the tiles (one per KPI of the fixture) on two, and the
	// milestones and data health.
	_, db := hostileSite(t)
	var kpis int
	if err := db.QueryRow(`SELECT count(DISTINCT kpi) FROM kpis`).Scan(&kpis); err != nil {
		t.Fatal(err)
	}
	open(t, ctx, base+"/index.html")
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil {
		t.Fatal(err)
	}
	if n := pdfPages(pdf); n != 4 {
		t.Errorf("the printed overview has %d pages, want 4", n)
	}
	if n := js[int](t, ctx, `return document.querySelectorAll('.tile').length`); n != kpis {
		t.Errorf("%d tiles, want %d", n, kpis)
	}
	noProblems(t, ctx, rec)
}

// pdfPages counts the pages of a PDF Chromium printed.
func pdfPages(pdf []byte) int {
	s := string(pdf)
	return strings.Count(s, "/Type /Page") - strings.Count(s, "/Type /Pages")
}

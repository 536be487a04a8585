package reports

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// chromiumPath is Debian's chromium package. The browser tests need it:
// with CI set they fail without it, otherwise they skip.
const chromiumPath = "/usr/bin/chromium"

// watchScript runs in every page before the page's own scripts (DevTools
// adds it, so the pages' CSP does not apply to it) and records CSP
// violations, which a hostile value or a stray inline style would cause.
const watchScript = `window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});`

// browser starts a headless Chromium for one test.
func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing: install Debian's chromium package (apt-get install chromium)", chromiumPath)
		}
		t.Skipf("%s is missing: install Debian's chromium package (apt-get install chromium) to run the browser tests", chromiumPath)
	}
	if testing.Short() && os.Getenv("CI") == "" {
		t.Skip("browser tests are skipped with -short")
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	// A page that never becomes ready fails its test rather than hanging.
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// scripted reports whether a page of the site runs report.js: the KPI
// pages do; the overview, health, census check and milestone pages have
// no controls.
func scripted(name string) bool {
	for _, p := range []string{"index", "health", "milestone-", checkPage} {
		if strings.HasPrefix(name, p) {
			return false
		}
	}
	return true
}

// recorder keeps every request and every problem a page reports.
type recorder struct {
	mu       sync.Mutex
	requests []string
	problems []string
}

func (r *recorder) add(list *[]string, s string) {
	r.mu.Lock()
	*list = append(*list, s)
	r.mu.Unlock()
}

func (r *recorder) take() (requests, problems []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	requests, problems = r.requests, r.problems
	r.requests, r.problems = nil, nil
	return requests, problems
}

// watch records the tab's requests, console errors, exceptions, browser
// log errors and failed responses.
func watch(t *testing.T, ctx context.Context) *recorder {
	t.Helper()
	r := &recorder{}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			r.add(&r.requests, e.Request.URL)
		case *network.EventResponseReceived:
			if e.Response.Status >= 400 {
				r.add(&r.problems, fmt.Sprintf("HTTP %d for %s", e.Response.Status, e.Response.URL))
			}
		case *network.EventLoadingFailed:
			r.add(&r.problems, "loading failed: "+e.ErrorText)
		case *runtime.EventConsoleAPICalled:
			// The pages write nothing to the console, so any message is news.
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value))
			}
			r.add(&r.problems, "console "+string(e.Type)+": "+strings.Join(parts, " "))
		case *runtime.EventExceptionThrown:
			msg := e.ExceptionDetails.Text
			if e.ExceptionDetails.Exception != nil {
				msg += " " + e.ExceptionDetails.Exception.Description
			}
			r.add(&r.problems, "exception: "+msg)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError || e.Entry.Level == log.EntryLevelWarning {
				r.add(&r.problems, "log "+string(e.Entry.Level)+" ("+string(e.Entry.Source)+"): "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchScript}); err != nil {
		t.Fatal(err)
	}
	return r
}

// buildSite builds the hostile fixture's site and writes it to a
// directory.
func buildSite(t *testing.T, days int) (string, map[string][]byte) {
	t.Helper()
	db := newFixtureDB(t, fixture{days: days, hostile: true})
	files, err := Build(context.Background(), db, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "site")
	if err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir, files
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// screenshot saves a full-page PNG under $KPI_SCREENSHOTS, for a person to
// look at; it does nothing when the variable is unset.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("KPI_SCREENSHOTS")
	if dir == "" {
		return
	}
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// viewportShot saves what the window shows, without the re-layout of a
// full-page capture (which would end a hover).
func viewportShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("KPI_SCREENSHOTS")
	if dir == "" {
		return
	}
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pageChecks is what must hold on every page, however it was opened.
const pageChecks = `(() => {
  const bad = [];
  if (window.__pwned !== undefined) bad.push('injected script ran: window.__pwned = ' + window.__pwned);
  if (window.__csp && window.__csp.length) bad.push('CSP violations: ' + window.__csp.join('; '));
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) bad.push('event handler attribute ' + a.name + ' on <' + el.localName + '>');
      // report.js places the readout through the CSSOM, which CSP allows;
      // any other style attribute would be markup CSP blocks.
      if (a.name === 'style' && !el.classList.contains('tip')) bad.push('inline style on <' + el.localName + '> (CSP forbids it)');
      if ((a.name === 'href' || a.name === 'src') && /^\s*javascript:/i.test(a.value)) bad.push('javascript: URL in ' + a.name);
    }
  }
  for (const s of document.scripts) {
    if (s.type !== 'application/json' && !s.src) bad.push('inline script');
  }
  if (document.querySelectorAll('img').length) bad.push('an <img> element exists');
  return bad;
})()`

func TestBrowserPagesLoadCleanlyOverHTTP(t *testing.T) {
	ctx := browser(t)
	dir, files := buildSite(t, 120)
	srv := httptest.NewServer(Handler(http.Dir(dir)))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	rec := watch(t, ctx)

	var pages []string
	for name := range files {
		if strings.HasSuffix(name, ".html") {
			pages = append(pages, name)
		}
	}
	slices.Sort(pages)
	for _, name := range pages {
		t.Run(name, func(t *testing.T) {
			do(t, ctx, chromedp.Navigate(srv.URL+"/"+name))
			if !scripted(name) {
				do(t, ctx, chromedp.WaitReady(chromedp.CSS("main")))
			} else {
				do(t, ctx, chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
			}
			for _, p := range eval[[]string](t, ctx, pageChecks) {
				t.Error(p)
			}
			requests, problems := rec.take()
			for _, p := range problems {
				t.Error(p)
			}
			for _, r := range requests {
				u, err := url.Parse(r)
				if err == nil && (u.Scheme == "data" || u.Scheme == "blob") {
					continue // not a request; Chromium's date input draws its icon from one
				}
				if err != nil || u.Host != base.Host || u.Scheme != "http" {
					t.Errorf("request outside the site: %s", r)
				}
			}
			switch {
			case name == "index.html":
				n := eval[int](t, ctx, `document.querySelectorAll('.tile').length`)
				s := eval[int](t, ctx, `document.querySelectorAll('.tile svg.spark path.spark-line, .tile .shares svg.mixbar').length`)
				if n < 10 || s != n {
					t.Errorf("index: %d tiles, %d sparklines or distributions", n, s)
				}
				if !eval[bool](t, ctx, `/Data through 2024-05-30/.test(document.querySelector('.fresh').textContent)`) {
					t.Error("index: no data freshness line")
				}
			case name == "health.html":
				text := eval[string](t, ctx, `document.querySelector('main').textContent`)
				for _, v := range []string{evilScript, evilImg, evilClose, evilURL, `en\u2028US\u2029x`} {
					if !strings.Contains(text, v) {
						t.Errorf("health: raw value %q is not shown as text", v)
					}
				}
				if n := eval[int](t, ctx, `document.querySelectorAll('svg.healthchart rect').length`); n == 0 {
					t.Error("health: no bars in the chart")
				}
			case strings.HasPrefix(name, "milestone-"):
				if n := eval[int](t, ctx, `document.querySelectorAll('table.compare tbody tr').length`); n == 0 {
					t.Errorf("%s: no KPI compared", name)
				}
			case name == checkPage+".html":
				if n := eval[int](t, ctx, `document.querySelectorAll('.check-table tbody tr').length`); n < 100 {
					t.Errorf("%s: %d days compared", name, n)
				}
			default:
				if n := eval[int](t, ctx, `document.querySelectorAll('#chart svg.linechart path.line').length`); n == 0 {
					t.Errorf("%s: no line in the chart", name)
				}
				if n := eval[int](t, ctx, `document.querySelectorAll('#data-table tbody tr').length`); n == 0 {
					t.Errorf("%s: empty data table", name)
				}
			}
		})
	}
}

// TestBrowserChoicesChangeTheView works a KPI page as a reader would: the
// range buttons, the dates, the segmentation, the segment switches, the
// hover readout and the CSV of the view.
func TestBrowserChoicesChangeTheView(t *testing.T) {
	ctx := browser(t)
	dir, _ := buildSite(t, 120)
	srv := httptest.NewServer(Handler(http.Dir(dir)))
	defer srv.Close()
	rec := watch(t, ctx)
	do(t, ctx, chromedp.EmulateViewport(1280, 900))

	count := func(sel string) int {
		return eval[int](t, ctx, fmt.Sprintf(`document.querySelectorAll(%q).length`, sel))
	}
	text := func(sel string) string {
		return eval[string](t, ctx, fmt.Sprintf(`document.querySelector(%q).textContent`, sel))
	}
	choose := func(sel, value string) {
		t.Helper()
		eval[bool](t, ctx, fmt.Sprintf(`(() => { const s = document.querySelector(%q); s.value = %q;
			s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`, sel, value))
	}

	do(t, ctx, chromedp.Navigate(srv.URL+"/new_user_flow.html"), chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
	screenshot(t, ctx, "new_user_flow-desktop")
	if got := count("#legend input[type=checkbox]"); got != 5 {
		t.Errorf("Total view of a funnel: %d legend switches, want one per step and aside (5)", got)
	}
	if got := count("#chart path.line"); got != 5 {
		t.Errorf("Total view of a funnel: %d lines, want 5", got)
	}
	if got := count("#data-table tbody tr"); got != DefaultDays {
		t.Errorf("default range: %d table rows, want %d", got, DefaultDays)
	}
	if got := count("#chart .marker"); got != 12 {
		t.Errorf("%d milestone markers, want the 12 inside the range", got)
	}
	if !strings.Contains(text("#milestone-list"), `Fix <b>"quoted"</b> & more`) {
		t.Error("the milestone label with markup is not shown as text")
	}

	// Range: 7 days, by clicking the button.
	do(t, ctx, chromedp.Click(chromedp.CSS(`button[data-days="7"]`)))
	if got := count("#data-table tbody tr"); got != 7 {
		t.Errorf("7 days: %d table rows", got)
	}
	if got := text("#view-caption"); !strings.Contains(got, "last 7 days") {
		t.Errorf("7 days: caption %q", got)
	}
	// The funnel is the sum of the days shown.
	sum := eval[float64](t, ctx, `[...document.querySelectorAll('#data-table tbody tr')].reduce((s, tr) => s + Number(tr.children[1].firstChild.textContent.replace(/,/g, '')), 0)`)
	first := eval[float64](t, ctx, `Number(document.querySelector('#funnel-body tr td').textContent.replace(/,/g, ''))`)
	if sum == 0 || sum != first {
		t.Errorf("funnel first stage %v, want the sum of the 7 days' first step %v", first, sum)
	}
	if got := text("#funnel-body tr:last-child td:nth-child(5)"); got != "100.0%" {
		t.Errorf("last stage completes all steps: %q", got)
	}

	// Range: from–to.
	choose("#from", "2024-05-01")
	choose("#to", "2024-05-10")
	if got := count("#data-table tbody tr"); got != 10 {
		t.Errorf("from 2024-05-01 to 2024-05-10: %d rows", got)
	}
	if got := eval[string](t, ctx, `location.hash`); got != "#from=2024-05-01&to=2024-05-10" {
		t.Errorf("hash %q does not keep the range", got)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`button[data-days="30"]`)))

	// Segmentation: OS, with the hostile segments as text.
	choose("#segmentation", "OS")
	if got := count("#legend input[type=checkbox]"); got != 12 {
		t.Errorf("OS: %d segment switches, want 9 listed + Other + 2 hostile", got)
	}
	legend := text("#legend")
	for _, v := range []string{evilScript, evilURL, "Windows 7", "Other"} {
		if !strings.Contains(legend, v) {
			t.Errorf("OS legend lacks %q as text", v)
		}
	}
	if !strings.Contains(text("#view-caption"), "share completing all steps") {
		t.Errorf("segmented funnel should open on the completion share: %q", text("#view-caption"))
	}
	lines := count("#chart path.line")
	if lines < 10 {
		t.Errorf("OS: %d lines", lines)
	}
	screenshot(t, ctx, "new_user_flow-os")
	// Switch one segment off by clicking its legend entry.
	do(t, ctx, chromedp.Click(chromedp.CSS(`#legend label.legend-item`)))
	if got := count("#chart path.line"); got != lines-1 {
		t.Errorf("after switching Windows 8 off: %d lines, want %d", got, lines-1)
	}
	if got := eval[[]string](t, ctx, `KPIReport.state().series`); slices.Contains(got, "Windows 8") {
		t.Errorf("Windows 8 still in the view: %v", got)
	}
	if got := eval[string](t, ctx, `location.hash`); !strings.Contains(got, "off=Windows%208") {
		t.Errorf("hash %q does not keep the switched-off segment", got)
	}
	// The CSV is the data behind the chart: the visible series and days.
	csv := eval[string](t, ctx, `KPIReport.csv()`)
	csvLines := strings.Split(strings.TrimSpace(csv), "\r\n")
	if csvLines[0] != "kpi,version,day,segmentation,segment,step,value,numerator,denominator,lo,hi,n" {
		t.Errorf("CSV header %q", csvLines[0])
	}
	for _, l := range csvLines[1:] {
		if strings.Contains(l, "Windows 8") || !strings.Contains(l, ",OS,") {
			t.Errorf("CSV row outside the view: %q", l)
			break
		}
	}
	if !strings.Contains(csv, `"<script>window.__pwned=1</script>"`) && !strings.Contains(csv, `<script>window.__pwned=1</script>`) {
		t.Error("CSV lacks the hostile segment")
	}
	// The download link carries the view's CSV once clicked.
	do(t, ctx, chromedp.Click(chromedp.CSS("#csv-view")))
	if href := eval[string](t, ctx, `document.querySelector('#csv-view').href`); !strings.HasPrefix(href, "blob:") {
		t.Errorf("the view's CSV link is %q, want a blob: URL made on click", href)
	}
	if name := eval[string](t, ctx, `document.querySelector('#csv-view').getAttribute('download')`); name != "new_user_flow.v2.OS.2024-05-01_2024-05-30.csv" {
		t.Errorf("CSV file name %q", name)
	}
	// A step instead of the completion share.
	choose("#step", "0")
	if !strings.Contains(text("#view-caption"), "step 1 - Enter email") {
		t.Errorf("step choice: caption %q", text("#view-caption"))
	}
	// Hide all, then hover: the readout follows the pointer.
	do(t, ctx, chromedp.Click(`//button[text()="Show all"]`))
	box := eval[[]float64](t, ctx, `(() => { const r = document.querySelector('#chart svg').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
	do(t, ctx, chromedp.MouseEvent("mouseMoved", box[0]+box[2]*0.8, box[1]+box[3]*0.5))
	if eval[bool](t, ctx, `document.querySelector('#chart .tip').hidden`) {
		t.Error("hovering the chart shows no readout")
	} else if got := text("#chart .tip"); !strings.Contains(got, "2024-05") {
		t.Errorf("readout %q has no day", got)
	}
	viewportShot(t, ctx, "new_user_flow-hover")
	do(t, ctx, chromedp.Click(`//button[text()="Hide all"]`))
	if got := count("#chart path.line"); got != 0 {
		t.Errorf("hide all: %d lines", got)
	}
	for _, p := range eval[[]string](t, ctx, pageChecks) {
		t.Error(p)
	}

	// A plain time series with the Browser segmentation, and the keyboard.
	do(t, ctx, chromedp.Navigate(srv.URL+"/sign_in_attempts.html#seg=Browser&range=all"),
		chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
	if got := count("#data-table tbody tr"); got != 120 {
		t.Errorf("all days from the hash: %d rows, want 120", got)
	}
	if !strings.Contains(text("#legend"), evilImg) {
		t.Error("Browser legend lacks the hostile value as text")
	}
	// As shares of Total, a day's segments add up to 100%.
	do(t, ctx, chromedp.Click(chromedp.CSS("#as-share")))
	if got := text("#view-caption"); !strings.Contains(got, "as a share of Total") {
		t.Errorf("share view caption %q", got)
	}
	total := eval[float64](t, ctx, `[...document.querySelectorAll('#data-table tbody tr:first-child td')].reduce((s, td) => s + parseFloat(td.textContent), 0)`)
	if total < 99.5 || total > 100.5 {
		t.Errorf("a day's Browser shares add up to %v%%, want 100%%", total)
	}
	if got := eval[string](t, ctx, `location.hash`); !strings.Contains(got, "share=1") {
		t.Errorf("hash %q does not keep the share view", got)
	}
	screenshot(t, ctx, "sign_in_attempts-browser-share")
	do(t, ctx, chromedp.Focus(chromedp.CSS("#chart svg")), chromedp.KeyEvent(kb.ArrowLeft))
	if eval[bool](t, ctx, `document.querySelector('#chart .tip').hidden`) {
		t.Error("the arrow keys show no readout")
	}
	for _, p := range eval[[]string](t, ctx, pageChecks) {
		t.Error(p)
	}

	// Phone and print.
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(srv.URL+"/new_user_flow.html"),
		chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
	if w := eval[float64](t, ctx, `document.documentElement.scrollWidth`); w > 390 {
		t.Errorf("phone: the page is %vpx wide, wider than the 390px screen", w)
	}
	screenshot(t, ctx, "new_user_flow-phone")
	do(t, ctx, chromedp.Navigate(srv.URL+"/index.html"), chromedp.WaitReady(chromedp.CSS("main")))
	screenshot(t, ctx, "index-phone")
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.Navigate(srv.URL+"/new_user_flow.html"), chromedp.WaitReady(chromedp.CSS("html[data-report=ready]")))
	if eval[bool](t, ctx, `getComputedStyle(document.querySelector('.side')).display !== 'none'`) {
		t.Error("print: the navigation is printed")
	}
	screenshot(t, ctx, "new_user_flow-print")
	_, problems := rec.take()
	for _, p := range problems {
		t.Error(p)
	}
}

// TestBrowserSiteWorksFromDisk opens the site from file://: classic
// scripts and relative links, and no request leaves the directory.
func TestBrowserSiteWorksFromDisk(t *testing.T) {
	ctx := browser(t)
	dir, _ := buildSite(t, 40)
	rec := watch(t, ctx)
	root := "file://" + filepath.ToSlash(dir) + "/"
	for _, name := range []string{"index.html", "new_user_flow.html", "sites_signed_in.v2.html", "health.html"} {
		do(t, ctx, chromedp.Navigate(root+name), chromedp.WaitReady(chromedp.CSS("main")))
		if name != "index.html" && name != "health.html" {
			ok, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.documentElement.dataset.report === 'ready'`, chromedp.WithPollingTimeout(5*time.Second)))
			if err != nil || !ok {
				t.Errorf("%s from disk: the script did not run (%v)", name, err)
			}
			choose := `(() => { const s = document.querySelector('#segmentation'); s.value = s.options[1].value; s.dispatchEvent(new Event('change')); return document.querySelectorAll('#legend input').length; })()`
			if n := eval[int](t, ctx, choose); n < 2 {
				t.Errorf("%s from disk: segmentation shows %d segments", name, n)
			}
		}
		for _, p := range eval[[]string](t, ctx, pageChecks) {
			t.Errorf("%s from disk: %s", name, p)
		}
		// Follow a link to check it resolves inside the directory.
		requests, problems := rec.take()
		for _, p := range problems {
			t.Errorf("%s from disk: %s", name, p)
		}
		for _, r := range requests {
			if !strings.HasPrefix(r, root) && !strings.HasPrefix(r, "data:") {
				t.Errorf("%s from disk: request outside the site: %s", name, r)
			}
		}
	}
	screenshot(t, ctx, "health-desktop")
}

// TestBrowserPagesWithoutScriptShowTheirNumbers turns JavaScript off: the
// server-drawn chart, the funnel and the tables carry the numbers alone.
func TestBrowserPagesWithoutScriptShowTheirNumbers(t *testing.T) {
	ctx := browser(t)
	dir, _ := buildSite(t, 60)
	srv := httptest.NewServer(Handler(http.Dir(dir)))
	defer srv.Close()
	rec := watch(t, ctx)
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	for _, name := range []string{"new_user_flow.html", "sites_signed_in.v1.html", "assertion_time.html"} {
		do(t, ctx, chromedp.Navigate(srv.URL+"/"+name), chromedp.WaitReady(chromedp.CSS("main")))
		// Evaluate runs through DevTools, which still may run script.
		if ready := eval[bool](t, ctx, `document.documentElement.dataset.report === 'ready'`); ready {
			t.Fatalf("%s: the page's script ran although scripts are off", name)
		}
		if n := eval[int](t, ctx, visibleChart("chart")+`.querySelectorAll('path.line').length`); n == 0 {
			t.Errorf("%s: no server-drawn line", name)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll('#data-table tbody tr').length`); n < 60 {
			t.Errorf("%s: %d table rows, want every day", name, n)
		}
		if eval[bool](t, ctx, `getComputedStyle(document.querySelector('#controls')).display !== 'none'`) {
			t.Errorf("%s: controls that cannot work are shown", name)
		}
		if name == "new_user_flow.html" {
			if n := eval[int](t, ctx, visibleChart("funnel")+`.querySelectorAll('rect.bar').length`); n != 4 {
				t.Errorf("funnel: %d bars", n)
			}
			if n := eval[int](t, ctx, `document.querySelectorAll('#milestone-list li:not([hidden])').length`); n != 10 {
				t.Errorf("milestones: %d listed, want the 10 in the 60 days", n)
			}
			screenshot(t, ctx, "new_user_flow-noscript")
		}
	}
	_, problems := rec.take()
	for _, p := range problems {
		t.Error(p)
	}
}

// reviewPages are the pages TestBrowserScreenshotsForReview shoots: one of
// each kind.
var reviewPages = []string{"index.html", "new_user_flow.html", "new_user_success.html", "assertion_time.html", "health.html", "milestone-2024-05-13-kpiggybank-outage.html",
	"census-check.html", "sites_signed_in.html", "sites_signed_in.v3.html", "new_users.html"}

// TestBrowserScreenshotsForReview saves every kind of page at 1400 px and
// 390 px wide, in dark mode and printed (PDF, A4) under $KPI_SCREENSHOTS,
// for a person to look at. It does nothing when the variable is unset.
func TestBrowserScreenshotsForReview(t *testing.T) {
	dir := os.Getenv("KPI_SCREENSHOTS")
	if dir == "" {
		t.Skip("set KPI_SCREENSHOTS=DIR to save screenshots there")
	}
	ctx := browser(t)
	site, _ := buildSite(t, 120)
	srv := httptest.NewServer(Handler(http.Dir(site)))
	defer srv.Close()
	open := func(name string) {
		do(t, ctx, chromedp.Navigate(srv.URL+"/"+name), chromedp.WaitReady(chromedp.CSS("main")))
		// Let report.js draw before the capture.
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.readyState === 'complete'`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
			t.Fatal(err)
		}
	}
	scheme := func(s string) {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range reviewPages {
		base := strings.TrimSuffix(name, ".html")
		scheme("light")
		do(t, ctx, chromedp.EmulateViewport(1400, 900))
		open(name)
		screenshot(t, ctx, "review-"+base+"-1400")
		pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "review-"+base+"-print.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
		open(name)
		screenshot(t, ctx, "review-"+base+"-390")
		scheme("dark")
		do(t, ctx, chromedp.EmulateViewport(1400, 900))
		open(name)
		screenshot(t, ctx, "review-"+base+"-1400-dark")
	}
}

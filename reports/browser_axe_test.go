package reports

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axeSource returns axe-core's script, installed from npm into the user's
// cache on first use. axe-core only ever runs in the tests: the site ships
// nothing third-party. Without npm or the registry the test is skipped, and
// says why.
func axeSource(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "kpi-tests", "axe-core-4")
	script := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if b, err := os.ReadFile(script); err == nil {
		return string(b)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Skip("npm is not installed: cannot install axe-core@4 to check accessibility")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", "axe-core@4").CombinedOutput()
	if err != nil {
		t.Skipf("cannot install axe-core@4 from npm (registry unreachable?): %v: %s", err, strings.SplitN(strings.TrimSpace(string(out)), "\n", 2)[0])
	}
	b, err := os.ReadFile(script)
	if err != nil {
		t.Fatalf("npm installed axe-core but %s is missing: %v", script, err)
	}
	return string(b)
}

// axeViolations runs axe-core on the open page: every rule of WCAG 2.1 A
// and AA and axe's best practices.
func axeViolations(t *testing.T, ctx context.Context, source string) []string {
	t.Helper()
	if !eval[bool](t, ctx, `typeof axe !== 'undefined'`) {
		eval[bool](t, ctx, source+";true")
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v =>
		v.id + ' (' + v.impact + '): ' + v.help + ' at ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')).join(' | ')))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run: %v", err)
	}
	return v
}

func TestBrowserAxeFindsNoViolations(t *testing.T) {
	source := axeSource(t)
	ctx, base, rec := served(t, 120)
	views := []struct {
		page  string
		width int64
		then  string // a reader's action before the check
		light bool   // checked in the light scheme only: the dark one changes colours, not structure
	}{
		{"index.html", 1400, "", false},
		{"index.html", 390, "", true},
		{"new_user_flow.html", 1400, "", false},
		{"new_user_flow.html", 390, "", true},
		{"new_user_flow.html#seg=OS&g=week&off=Linux", 1400, "", true},
		{"new_user_success.html", 1400, "readout", false},
		{"assertion_time.html", 1400, "", true},
		{"bounce_rate.html", 390, "", true},
		{"health.html", 1400, "", false},
		{"health.html", 390, "", true},
		{"census-check.html", 1400, "", false},
		{"census-check.html", 390, "", true},
		{"new_users.html#seg=OS", 1400, "readout", true},
		{"sites_signed_in.html", 390, "", true},
		{"milestone-2024-05-13-kpiggybank-outage.html", 1400, "", false},
	}
	for _, scheme := range []string{"light", "dark"} {
		if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}}); err != nil {
			t.Fatal(err)
		}
		for _, v := range views {
			if v.light && scheme == "dark" {
				continue
			}
			name := fmt.Sprintf("%s at %dpx, %s", v.page, v.width, scheme)
			do(t, ctx, chromedp.EmulateViewport(v.width, 900))
			open(t, ctx, base+"/"+v.page)
			if v.then == "readout" {
				do(t, ctx, chromedp.Focus(chromedp.CSS("#chart svg")), chromedp.KeyEvent(kb.End))
			}
			for _, p := range axeViolations(t, ctx, source) {
				t.Errorf("%s: %s", name, p)
			}
			_, problems := rec.take()
			for _, p := range problems {
				t.Errorf("%s: %s", name, p)
			}
		}
	}
}

// TestBrowserKeyboardReachesEverythingThatScrolls tabs through a KPI page:
// each scrolling box takes the focus, and nothing clips a focus ring.
func TestBrowserKeyboardReachesEverythingThatScrolls(t *testing.T) {
	ctx, base, rec := served(t, 60)
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	open(t, ctx, base+"/new_user_flow.html")
	focused := map[string]bool{}
	var clipped []string
	for range 200 {
		do(t, ctx, chromedp.KeyEvent(kb.Tab))
		id := js[string](t, ctx, `const e = document.activeElement;
			return e.tagName + (e.getAttribute('aria-label') ? '[' + e.getAttribute('aria-label') + ']' : '') + (e.dataset.days ? '[' + e.dataset.days + ']' : '')`)
		if focused[id] && id == "BODY" {
			break
		}
		focused[id] = true
		// The focus ring is 3px outside the element: no ancestor up to the
		// card may clip it.
		if c := js[string](t, ctx, `for (let e = document.activeElement.parentElement; e && !e.classList.contains('card') && e !== document.body; e = e.parentElement) {
				if (getComputedStyle(e).overflow !== 'visible' && !e.classList.contains('table-scroll') && !e.matches('ul, nav, .side')) return e.className;
			} return ''`); c != "" {
			clipped = append(clipped, id+" inside ."+c)
		}
	}
	for _, want := range []string{"BUTTON[7]", "DIV[Funnel table]", "DIV[Table of values]", "PRE[SQL of version 2]"} {
		if !focused[want] {
			t.Errorf("the keyboard never reaches %s", want)
		}
	}
	if len(clipped) > 0 {
		t.Errorf("focus rings clipped: %v", clipped)
	}
	noProblems(t, ctx, rec)
}

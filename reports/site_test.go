package reports

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"
)

// The hostile fixture's site, built once for the structural tests.
var (
	siteOnce  sync.Once
	siteFiles map[string][]byte
	siteDB    *sql.DB
	siteErr   error
)

func hostileSite(t *testing.T) (map[string][]byte, *sql.DB) {
	t.Helper()
	siteOnce.Do(func() {
		// The fixture outlives this test: it is shared by the tests below.
		tb := &onceTB{TB: t}
		siteDB = newFixtureDB(tb, fixture{days: 120, hostile: true})
		siteFiles, siteErr = Build(context.Background(), siteDB, testOptions())
	})
	if siteErr != nil {
		t.Fatal(siteErr)
	}
	return siteFiles, siteDB
}

// onceTB keeps a shared fixture's cleanups from running when the first
// test that made it ends; the process exit removes its files.
type onceTB struct{ testing.TB }

func (o *onceTB) Cleanup(func()) {}
func (o *onceTB) TempDir() string {
	d, err := os.MkdirTemp(sharedDir, "fixture-")
	if err != nil {
		o.Fatal(err)
	}
	return d
}

// sharedDir holds fixtures shared between tests; TestMain removes it.
var sharedDir string

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "kpi-reports-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	sharedDir = d
	code := m.Run()
	if siteDB != nil {
		siteDB.Close()
	}
	os.RemoveAll(d)
	os.Exit(code)
}

// element is one parsed element with its attributes and text.
type element struct {
	tag   string
	attrs map[string]string
	text  string // text of a <script> or <title>
}

// parse reads a page with a real HTML5 tokenizer, as a browser would.
func parse(t *testing.T, name string, b []byte) (els []element, text string) {
	t.Helper()
	z := html.NewTokenizer(bytes.NewReader(b))
	var sb strings.Builder
	var raw *element
	for {
		switch z.Next() {
		case html.ErrorToken:
			return els, sb.String()
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			e := element{tag: tok.Data, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				if _, dup := e.attrs[a.Key]; dup {
					t.Errorf("%s: <%s> repeats attribute %s", name, tok.Data, a.Key)
				}
				e.attrs[a.Key] = a.Val
			}
			els = append(els, e)
			raw = nil
			if tok.Data == "script" || tok.Data == "title" {
				raw = &els[len(els)-1]
			}
		case html.TextToken:
			if raw != nil {
				raw.text += string(z.Text())
			} else {
				sb.Write(z.Text())
			}
		case html.EndTagToken:
			raw = nil
		}
	}
}

func TestEveryPageIsSafeToPublish(t *testing.T) {
	files, _ := hostileSite(t)
	var pages int
	for name, b := range files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		pages++
		els, _ := parse(t, name, b)
		var csp, jsonData bool
		for _, e := range els {
			for k, v := range e.attrs {
				switch {
				case strings.HasPrefix(k, "on"):
					t.Errorf("%s: <%s> has an event handler attribute %s=%q", name, e.tag, k, v)
				case k == "style":
					t.Errorf("%s: <%s> has an inline style, which the CSP forbids", name, e.tag)
				case k == "href" || k == "src" || k == "action" || k == "xlink:href":
					checkLocalURL(t, files, name, e.tag, k, v)
				}
			}
			switch e.tag {
			case "style", "iframe", "object", "embed", "img", "form", "base":
				t.Errorf("%s: unexpected <%s>", name, e.tag)
			case "script":
				switch {
				case e.attrs["type"] == "application/json":
					jsonData = true
					checkJSON(t, name, e.text)
				case e.attrs["src"] == "":
					t.Errorf("%s: inline script %q", name, e.text)
				case e.text != "":
					t.Errorf("%s: script with both src and text", name)
				}
			case "meta":
				if e.attrs["http-equiv"] == "Content-Security-Policy" {
					csp = true
					if e.attrs["content"] != CSP {
						t.Errorf("%s: CSP %q, want %q", name, e.attrs["content"], CSP)
					}
				}
			}
		}
		if !csp {
			t.Errorf("%s: no Content-Security-Policy meta tag", name)
		}
		if !scripted(name) {
			if jsonData {
				t.Errorf("%s: has chart data but no chart script", name)
			}
		} else if !jsonData {
			t.Errorf("%s: no chart data", name)
		}
		// The hostile values may appear only escaped.
		for _, v := range []string{evilScript, evilImg, evilClose, "\u2028", "\u2029"} {
			if bytes.Contains(b, []byte(v)) {
				t.Errorf("%s: raw %q in the page", name, v)
			}
		}
	}
	if pages < 20 {
		t.Errorf("only %d pages", pages)
	}
}

// chartData reads a KPI page's chart data as report.js does.
func chartData(t *testing.T, name string, page []byte) pageJSON {
	t.Helper()
	els, _ := parse(t, name, page)
	var data pageJSON
	for _, e := range els {
		if e.tag == "script" && e.attrs["id"] == "kpi-data" {
			if err := json.Unmarshal([]byte(e.text), &data); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	return data
}

// checkLocalURL fails a link that leaves the site or names a missing file.
func checkLocalURL(t *testing.T, files map[string][]byte, page, tag, attr, v string) {
	t.Helper()
	u, err := url.Parse(v)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(v, "//") || strings.HasPrefix(u.Path, "/") {
		t.Errorf("%s: <%s %s=%q> leaves the site", page, tag, attr, v)
		return
	}
	if u.Path == "" {
		return // a fragment on the same page
	}
	if _, ok := files[path.Clean(u.Path)]; !ok {
		t.Errorf("%s: <%s %s=%q> names a file the site lacks", page, tag, attr, v)
	}
}

// checkJSON parses chart data as report.js does and checks that nothing
// in it could end the script element.
func checkJSON(t *testing.T, page, text string) {
	t.Helper()
	for _, bad := range []string{"</", "<!--", "\u2028", "\u2029"} {
		if strings.Contains(text, bad) {
			t.Errorf("%s: chart data contains %q", page, bad)
		}
	}
	var data pageJSON
	if err := json.Unmarshal([]byte(text), &data); err != nil {
		t.Errorf("%s: chart data is not JSON: %v", page, err)
	}
}

func TestHostileValuesShowAsText(t *testing.T) {
	files, _ := hostileSite(t)
	_, text := parse(t, "health.html", files["health.html"])
	for _, v := range []string{evilScript, evilImg, evilClose, evilURL, `en\u2028US\u2029x`, "(missing)"} {
		if !strings.Contains(text, v) {
			t.Errorf("health.html: the raw value %q is not in the page's text", v)
		}
	}
	// The run error holds a hostile value too.
	if !strings.Contains(text, "fetch window 2024-05-29: "+evilScript) {
		t.Error("health.html: the failed run's error is not shown as text")
	}

	// Segment values and steps reach the pages as chart data.
	data := chartData(t, "sign_in_attempts.html", files["sign_in_attempts.html"])
	segs := map[string][]string{}
	for _, s := range data.Segmentations {
		for _, m := range s.Segments {
			segs[s.Name] = append(segs[s.Name], m.Name)
		}
	}
	for seg, v := range map[string]string{"OS": evilScript, "Browser": evilImg, "Locale": evilLineSep} {
		if !slices.Contains(segs[seg], v) {
			t.Errorf("%s segments %q lack %q", seg, segs[seg], v)
		}
	}
	_, text = parse(t, "email_addition_flow.html", files["email_addition_flow.html"])
	if !strings.Contains(text, "4 - "+evilImg) {
		t.Error("email_addition_flow.html: the hostile step is not shown as text")
	}
	// The milestone label from the configuration is text too.
	_, text = parse(t, "new_user_flow.html", files["new_user_flow.html"])
	if !strings.Contains(text, `Fix <b>"quoted"</b> & more`) {
		t.Error("new_user_flow.html: the milestone label is not shown as text")
	}
}

func TestSiteHasAPagePerKPIVersion(t *testing.T) {
	files, db := hostileSite(t)
	rows, err := db.Query(`SELECT kpi, version, max(version) OVER (PARTITION BY kpi) FROM kpis ORDER BY kpi, version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var latest []string
	for rows.Next() {
		var id string
		var v, maxV int
		if err := rows.Scan(&id, &v, &maxV); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("%s.v%d.html", id, v)
		if _, ok := files[page]; !ok {
			t.Errorf("no %s", page)
		}
		if _, ok := files[fmt.Sprintf("%s.v%d.csv", id, v)]; !ok {
			t.Errorf("no CSV for %s v%d", id, v)
		}
		if v == maxV {
			latest = append(latest, id)
			if !bytes.Equal(files[id+".html"], files[page]) {
				t.Errorf("%s.html is not version %d, the latest", id, v)
			}
		}
		// Each version page links to every other version.
		els, _ := parse(t, page, files[page])
		for w := 1; w <= maxV; w++ {
			if w == v {
				continue
			}
			want := fmt.Sprintf("%s.v%d.html", id, w)
			if !slices.ContainsFunc(els, func(e element) bool { return e.tag == "a" && e.attrs["href"] == want }) {
				t.Errorf("%s does not link to %s", page, want)
			}
		}
	}
	// The index has a tile per KPI, linking to its latest page.
	els, text := parse(t, "index.html", files["index.html"])
	var tiles []string
	for _, e := range els {
		if e.tag == "a" && e.attrs["class"] == "tile" {
			tiles = append(tiles, strings.TrimSuffix(e.attrs["href"], ".html"))
		}
	}
	slices.Sort(tiles)
	if !slices.Equal(tiles, latest) {
		t.Errorf("index tiles %v, want %v", tiles, latest)
	}
	for _, want := range []string{"Data through 2024-05-30", "generated 2024-05-31 06:00 UTC", "run #3", "vs the 7 days before"} {
		if !strings.Contains(text, want) {
			t.Errorf("index.html lacks %q", want)
		}
	}
	// A tile has a sparkline, or a distribution in its place.
	if n, d := bytes.Count(files["index.html"], []byte(`class="spark"`)), bytes.Count(files["index.html"], []byte(`class="shares"`)); n+d != len(latest) || d != 1 {
		t.Errorf("%d sparklines and %d distributions for %d KPIs", n, d, len(latest))
	}
}

// TestFunnelTableSumsTheDaysShown checks the original dashboard's table
// against the database: stage counts are sums of the daily counts over
// the default range.
func TestFunnelTableSumsTheDaysShown(t *testing.T) {
	files, db := hostileSite(t)
	var want []float64
	rows, err := db.Query(`SELECT step, sum(value) FROM kpi_results
		WHERE kpi = 'new_user_flow' AND version = (SELECT max(version) FROM kpis WHERE kpi = 'new_user_flow')
		  AND segmentation = 'Total' AND day > DATE '2024-05-30' - CAST(? AS INTEGER) AND regexp_matches(step, '^[0-9]')
		GROUP BY step ORDER BY step`, DefaultDays)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var step string
		var n float64
		if err := rows.Scan(&step, &n); err != nil {
			t.Fatal(err)
		}
		want = append(want, n)
	}
	rows.Close()
	page := string(files["new_user_flow.html"])
	body := page[strings.Index(page, `id="funnel-body"`):]
	body = body[:strings.Index(body, "</tbody>")]
	var got [][]string
	for _, tr := range strings.Split(body, "<tr>")[1:] {
		var cells []string
		for _, td := range strings.Split(tr, "<td>")[1:] {
			cells = append(cells, td[:strings.Index(td, "</td>")])
		}
		got = append(got, cells)
	}
	if len(got) != 4 || len(want) != 4 {
		t.Fatalf("funnel rows %v, want 4 stages (db %v)", got, want)
	}
	pct := func(a, b float64) string { return strconv.FormatFloat(a/b*100, 'f', 1, 64) + "%" }
	for i, cells := range got {
		if cells[0] != formatValue("count", want[i]) {
			t.Errorf("stage %d count %s, want %s", i+1, cells[0], formatValue("count", want[i]))
		}
		if cells[1] != pct(want[i], want[0]) {
			t.Errorf("stage %d make this step %s, want %s", i+1, cells[1], pct(want[i], want[0]))
		}
		if i < 3 && cells[2] != pct(want[i+1], want[i]) {
			t.Errorf("stage %d take next step %s, want %s", i+1, cells[2], pct(want[i+1], want[i]))
		}
		if cells[3] != pct(want[3], want[i]) {
			t.Errorf("stage %d complete all steps %s, want %s", i+1, cells[3], pct(want[3], want[i]))
		}
	}
}

func TestCSVHoldsEveryResultAndNoFormula(t *testing.T) {
	files, db := hostileSite(t)
	var want int
	if err := db.QueryRow(`SELECT count(*) FROM kpi_results WHERE kpi = 'sign_in_attempts' AND version = 1`).Scan(&want); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(files["sign_in_attempts.v1.csv"])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(recs) - 1; got != want {
		t.Errorf("%d CSV rows, want %d", got, want)
	}
	if strings.Join(recs[0], ",") != "kpi,version,day,segmentation,segment,step,value,numerator,denominator,lo,hi,n,s_blobs,s_y,s_wy,s_w,s_w2,s_w2y,s_w2y2,s_wy2" {
		t.Errorf("header %v", recs[0])
	}
	var sawFormula bool
	for _, r := range recs[1:] {
		for _, c := range r[3:6] {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Fatalf("cell %q would run as a spreadsheet formula", c)
			}
			if c == "'"+evilFormula {
				sawFormula = true
			}
		}
	}
	if !sawFormula {
		t.Error("the formula-like segment is missing from the CSV")
	}
}

func TestPagesWithoutScriptShowTheNumbers(t *testing.T) {
	files, _ := hostileSite(t)
	page := files["sign_in_attempts.v1.html"]
	els, text := parse(t, "sign_in_attempts.v1.html", page)
	var lines, rows int
	for _, e := range els {
		if e.tag == "path" && strings.HasPrefix(e.attrs["class"], "line ") {
			lines++
		}
		if e.tag == "tr" {
			rows++
		}
	}
	if lines != len(chartSizes) {
		t.Errorf("server-drawn charts have %d lines, want Total at each of %d sizes", lines, len(chartSizes))
	}
	if rows < 120 {
		t.Errorf("the table has %d rows, want every day", rows)
	}
	for _, want := range []string{"Day (UTC)", "Sessions per day", "New dialog design", "Definition · version 1", "SELECT day, count(*) AS value"} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// The controls only appear once the script runs.
	if !bytes.Contains(page, []byte(`id="controls" hidden`)) {
		t.Error("the controls are visible without the script")
	}
}

func TestBuildWithoutResults(t *testing.T) {
	db := newFixtureDB(t, fixture{days: 3})
	if _, err := db.Exec(`DELETE FROM kpi_results`); err != nil {
		t.Fatal(err)
	}
	files, err := Build(context.Background(), db, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, text := parse(t, "index.html", files["index.html"])
	if !strings.Contains(text, "No data yet") || !strings.Contains(text, "no results yet") {
		t.Errorf("an empty database should say so:\n%s", text)
	}
	if _, ok := files["new_user_flow.html"]; !ok {
		t.Error("a defined KPI without results still gets its page")
	}
}

func TestFormatting(t *testing.T) {
	for _, c := range []struct {
		unit string
		v    float64
		want string
	}{
		{"count", 1234567, "1,234,567"}, {"count", 999, "999"}, {"count", -1234, "-1,234"},
		{"rate", 0.4567, "45.7%"}, {"mean", 2.345, "2.35"}, {"median", 2.5, "2.5"}, {"median", 2, "2"},
		{"ms", 950, "950 ms"}, {"ms", 12345, "12.3 s"}, {"count", math.NaN(), "–"},
	} {
		if got := formatValue(c.unit, c.v); got != c.want {
			t.Errorf("formatValue(%s, %v) = %q, want %q", c.unit, c.v, got, c.want)
		}
	}
	for _, c := range []struct {
		unit         string
		latest, base float64
		text, dir    string
	}{
		{"rate", 0.5, 0.45, "+5.0 pts", "up"}, {"count", 90, 100, "−10.0%", "down"}, {"count", 100, 100, "±0.0%", "flat"},
		{"count", 5, 0, "", ""},
	} {
		text, dir := change(c.unit, c.latest, c.base)
		if text != c.text || dir != c.dir {
			t.Errorf("change(%s, %v, %v) = %q %q, want %q %q", c.unit, c.latest, c.base, text, dir, c.text, c.dir)
		}
	}
	ticks, step := niceTicks(273, 5)
	if step != 100 || !slices.Equal(ticks, []float64{0, 100, 200, 300}) {
		t.Errorf("niceTicks(273) = %v step %v", ticks, step)
	}
	if got := formatTick("rate", 0.25, 0.05); got != "25%" {
		t.Errorf("formatTick rate = %q", got)
	}
	if got := visible("a\u2028b\x00"); got != `a\u2028b\x00` {
		t.Errorf("visible = %q", got)
	}
	if got := csvSafe("=1+1"); got != "'=1+1" {
		t.Errorf("csvSafe = %q", got)
	}
	if got := slugify("New User/Flow"); got != "new_user_flow" {
		t.Errorf("slugify = %q", got)
	}
}

func TestRunIDNamesTheSitesRun(t *testing.T) {
	_, db := hostileSite(t)
	opt := testOptions()
	opt.RunID = 2 // as kpi run passes its own
	files, err := Build(context.Background(), db, opt)
	if err != nil {
		t.Fatal(err)
	}
	_, text := parse(t, "index.html", files["index.html"])
	if !strings.Contains(text, "run #2") {
		t.Error("the freshness line does not name the run given")
	}
	_, text = parse(t, "health.html", files["health.html"])
	if !strings.Contains(text, "#2 · run · failed") {
		t.Error("the health page should show the run given, whatever its status")
	}
	// Without a run id, the site reports on the latest successful run.
	opt.RunID = 0
	if files, err = Build(context.Background(), db, opt); err != nil {
		t.Fatal(err)
	}
	_, text = parse(t, "health.html", files["health.html"])
	if !strings.Contains(text, "#3 · run · success") || !strings.Contains(text, "60,000 fetched") {
		t.Error("the health page should show the latest successful run and its counts")
	}
}

func TestKPIIDsCannotOverwriteTheSitesPages(t *testing.T) {
	s, err := newSite(&dataset{defs: []kpiDef{{ID: "index", Version: 1}, {ID: "health", Version: 1}, {ID: "a/b", Version: 1}, {ID: "a_b", Version: 1}}}, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{"index.html": true, "health.html": true}
	for _, id := range []string{"index", "health", "a/b", "a_b"} {
		h := s.href(id, 0)
		if seen[h] {
			t.Errorf("KPI %q gets the page %s, which is taken", id, h)
		}
		seen[h] = true
	}
}

func TestHealthListsUnrecognisedEventNamesOnly(t *testing.T) {
	files, _ := hostileSite(t)
	_, text := parse(t, "health.html", files["health.html"])
	i := strings.Index(text, "Unrecognised event names")
	if i < 0 {
		t.Fatal("no unrecognised events section")
	}
	section := text[i:]
	// The fixture's 25 dialog.new_thing events, in 25 sessions.
	if !strings.Contains(section, "dialog.new_thing") {
		t.Error("an event no flow knows is not listed")
	}
	if strings.Contains(section, "screen.rp_info") {
		t.Error("a screen.* event is listed as unrecognised")
	}
	if strings.Contains(section, "assertion_generated") {
		t.Error("a known event is listed as unrecognised")
	}
	for _, name := range productionNames {
		if strings.Contains(section, name) {
			t.Errorf("the production name %s is listed as unrecognised", name)
		}
	}
}

// tileChanges lists the index's tiles in page order, each with the class
// of its change badge ("change good", "change bad", "change ").
func tileChanges(t *testing.T, index []byte) (hrefs []string, changes map[string]string) {
	t.Helper()
	els, _ := parse(t, "index.html", index)
	changes = map[string]string{}
	for _, e := range els {
		switch {
		case e.tag == "a" && e.attrs["class"] == "tile":
			hrefs = append(hrefs, e.attrs["href"])
		case e.tag == "span" && strings.HasPrefix(e.attrs["class"], "change") && len(hrefs) > 0:
			changes[hrefs[len(hrefs)-1]] = e.attrs["class"]
		}
	}
	return hrefs, changes
}

// TestOrderAndJudgementComeFromTheKPIRegistry: the index follows each
// KPI's order and colours its change by better, as kpis holds them.
func TestOrderAndJudgementComeFromTheKPIRegistry(t *testing.T) {
	db := newFixtureDB(t, fixture{days: 30})
	files, err := Build(context.Background(), db, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	hrefs, _ := tileChanges(t, files["index.html"])
	want := []string{"new_user_flow.html", "new_user_success.html", "new_users.html", "password_reset_flow.html",
		"sites_signed_in.html", "sign_in_attempts.html", "new_user_bounce.html", "bounce_rate.html",
		"general_progress.html", "email_addition_flow.html", "orphaned_rate.html", "assertion_time.html", "email_confirmation_time.html",
		"server_accounts_created.html", "server_census.html"}
	if !slices.Equal(hrefs, want) {
		t.Errorf("tiles %v, want the headers' order %v", hrefs, want)
	}

	if _, err := db.Exec(`UPDATE kpis SET page_order = 0 WHERE kpi = 'assertion_time';
		UPDATE kpis SET better = 'none' WHERE kpi = 'bounce_rate';
		UPDATE kpis SET better = CASE better WHEN 'higher' THEN 'lower' ELSE 'higher' END WHERE kpi <> 'bounce_rate'`); err != nil {
		t.Fatal(err)
	}
	_, before := tileChanges(t, files["index.html"])
	if files, err = Build(context.Background(), db, testOptions()); err != nil {
		t.Fatal(err)
	}
	hrefs, after := tileChanges(t, files["index.html"])
	if hrefs[0] != "assertion_time.html" {
		t.Errorf("tiles %v: assertion_time's order 0 should put it first", hrefs)
	}
	flip := map[string]string{"change good": "change bad", "change bad": "change good"}
	var judged int
	for href, class := range before {
		switch {
		case href == "bounce_rate.html":
			if after[href] != "change " {
				t.Errorf("%s: better none gives no judgement, got %q", href, after[href])
			}
		case flip[class] != "":
			judged++
			if after[href] != flip[class] {
				t.Errorf("%s: %q with the other better, want %q", href, after[href], flip[class])
			}
		}
	}
	if judged == 0 || before["bounce_rate.html"] == "change " {
		t.Errorf("the fixture should judge changes: %v", before)
	}
}

func TestJudge(t *testing.T) {
	for _, c := range []struct{ better, dir, want string }{
		{"higher", "up", "good"}, {"higher", "down", "bad"}, {"higher", "flat", ""},
		{"lower", "up", "bad"}, {"lower", "down", "good"}, {"lower", "", ""},
		{"none", "up", ""}, {"none", "down", ""}, {"", "up", ""},
	} {
		if got := judge(c.better, c.dir); got != c.want {
			t.Errorf("judge(%q, %q) = %q, want %q", c.better, c.dir, got, c.want)
		}
	}
}

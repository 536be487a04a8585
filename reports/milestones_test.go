package reports

import (
	"bytes"
	"context"
	"html"
	"log/slog"
	"strings"
	"testing"

	"github.com/persona-kpi/kpi/config"
)

func TestMilestoneLabelsAreDecodedThenEscaped(t *testing.T) {
	files, _ := hostileSite(t)
	page := files["new_user_flow.html"]
	_, text := parse(t, "new_user_flow.html", page)
	for _, want := range []string{"α release", "<img src=x onerror=window.__pwned=1> & β", "2024-05-13 to 2024-05-15 kpiggybank outage"} {
		if !strings.Contains(text, want) {
			t.Errorf("new_user_flow.html does not show %q as text", want)
		}
	}
	for name, b := range files {
		if strings.HasSuffix(name, ".html") && bytes.Contains(b, []byte("<img src=x onerror")) {
			t.Errorf("%s: the decoded milestone label is in the page unescaped", name)
		}
	}
	// The milestone's own page, named from its day and label.
	_, text = parse(t, "milestone", files["milestone-2024-05-27-img-src-x-onerror-window-pwned-1.html"])
	if !strings.Contains(text, "<img src=x onerror=window.__pwned=1> & β") {
		t.Error("the hostile milestone's page does not show its label as text")
	}
}

func TestMilestonePageComparesTheWeekBeforeWithTheWeekAfter(t *testing.T) {
	files, db := hostileSite(t)
	page := string(files["milestone-2024-04-15-new-dialog-design.html"])
	row := func(title string) []string {
		t.Helper()
		i := strings.Index(page, ">"+title+"</a></th>")
		if i < 0 {
			t.Fatalf("no row for %s", title)
		}
		tr := page[i : strings.Index(page[i:], "</tr>")+i]
		var cells []string
		for _, td := range strings.Split(tr, "<td")[1:] {
			td = td[strings.Index(td, ">")+1:]
			cells = append(cells, html.UnescapeString(td[:strings.Index(td, "</td>")]))
		}
		return cells
	}
	one := func(q string) float64 {
		t.Helper()
		var v float64
		if err := db.QueryRow(q).Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// A count: the daily means of 04-08..04-14 and 04-16..04-22; the day
	// itself is left out.
	latest := `version = (SELECT max(version) FROM kpis k WHERE k.kpi = kpi_results.kpi)`
	before := one(`SELECT avg(value) FROM kpi_results WHERE kpi = 'sign_in_attempts' AND ` + latest + ` AND segmentation = 'Total' AND day BETWEEN DATE '2024-04-08' AND DATE '2024-04-14'`)
	after := one(`SELECT avg(value) FROM kpi_results WHERE kpi = 'sign_in_attempts' AND ` + latest + ` AND segmentation = 'Total' AND day BETWEEN DATE '2024-04-16' AND DATE '2024-04-22'`)
	ch, _ := change("count", after, before)
	if got := row("Sign-in attempts (estimated)"); got[0] != formatValue("count", before) || got[1] != formatValue("count", after) || !strings.Contains(got[2], ch) {
		t.Errorf("sign-in attempts: %q, want %s, %s, %s", got, formatValue("count", before), formatValue("count", after), ch)
	}
	// A rate: numerators and denominators pooled over each week.
	before = one(`SELECT sum(numerator) / sum(denominator) FROM kpi_results WHERE kpi = 'new_user_success' AND ` + latest + ` AND segmentation = 'Total' AND day BETWEEN DATE '2024-04-08' AND DATE '2024-04-14'`)
	after = one(`SELECT sum(numerator) / sum(denominator) FROM kpi_results WHERE kpi = 'new_user_success' AND ` + latest + ` AND segmentation = 'Total' AND day BETWEEN DATE '2024-04-16' AND DATE '2024-04-22'`)
	if got := row("New user success (estimated)"); got[0] != formatValue("rate", before) || got[1] != formatValue("rate", after) {
		t.Errorf("new user success: %q, want %s, %s", got, formatValue("rate", before), formatValue("rate", after))
	}
	// Each KPI links to its chart around the milestone.
	if !strings.Contains(page, `href="new_user_flow.html#from=2024-03-25&amp;to=2024-05-06"`) {
		t.Error("the milestone page does not link to the KPI's chart around it")
	}
}

func TestAMilestoneNamingAnUnknownKPIIsLogged(t *testing.T) {
	db := newFixtureDB(t, fixture{days: 3})
	opt := testOptions()
	opt.Config.Milestones = []config.Milestone{{Milestone: "Typo", Date: "2024-05-29", KPIs: []string{"new_user_flwo"}}}
	var logs bytes.Buffer
	opt.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	if _, err := Build(context.Background(), db, opt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "kpi=new_user_flwo") {
		t.Errorf("no warning for the unknown KPI:\n%s", logs.String())
	}
	opt.Config.Milestones = []config.Milestone{{Milestone: "Backwards", From: "2024-05-29", To: "2024-05-28"}}
	if _, err := Build(context.Background(), db, opt); err == nil || !strings.Contains(err.Error(), "Backwards") {
		t.Errorf("a backwards range builds: %v", err)
	}
}

func TestTheSiteAsksNotToBeIndexed(t *testing.T) {
	files, _ := hostileSite(t)
	if got := string(files["robots.txt"]); got != "User-agent: *\nDisallow: /\n" {
		t.Errorf("robots.txt = %q", got)
	}
	for name, b := range files {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		els, _ := parse(t, name, b)
		var noindex bool
		for _, e := range els {
			if e.tag == "meta" && e.attrs["name"] == "robots" && strings.Contains(e.attrs["content"], "noindex") {
				noindex = true
			}
		}
		if !noindex {
			t.Errorf("%s has no robots noindex meta tag", name)
		}
	}
}

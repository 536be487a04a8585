package reports

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/persona-kpi/kpi/persona"
)

// tableRows reads the table inside the element whose aria-label is label
// (or the table with that aria-label): each row's cells as text, the
// head's and foot's rows included.
func tableRows(t *testing.T, page []byte, label string) [][]string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var box *html.Node
	var find func(n *html.Node)
	find = func(n *html.Node) {
		for _, a := range n.Attr {
			if a.Key == "aria-label" && a.Val == label && box == nil {
				box = n
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			find(c)
		}
	}
	find(doc)
	if box == nil {
		t.Fatalf("no element labelled %q", label)
	}
	var rows [][]string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			var cells []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					cells = append(cells, strings.TrimSpace(textOf(c)))
				}
			}
			rows = append(rows, cells)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(box)
	return rows
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}

// column is the index of a table's column by its head, or fails.
func column(t *testing.T, head []string, name string) int {
	t.Helper()
	for i, h := range head {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %q", name, head)
	return -1
}

// TestHealthAccountsForCensusEntriesAndConflicts: wherever the health
// page and the overview show the accounting, census entries are a term of
// it, and conflicting re-deliveries are counted per day and in total.
func TestHealthAccountsForCensusEntriesAndConflicts(t *testing.T) {
	files, db := hostileSite(t)
	page := files["health.html"]
	_, text := parse(t, "health.html", page)
	for _, want := range []string{
		"60,000 fetched = 41,400 blobs loaded + 18,000 census entries + 350 duplicates + 250 rejected",
		"3 of the duplicates conflicting",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("health.html lacks %q", want)
		}
	}
	if strings.Contains(text, "do not add up") {
		t.Error("a balanced day is marked as not adding up")
	}

	// The runs table has the census entries and conflicts of each run.
	runs := tableRows(t, page, "Table of recent runs")
	srv, conf := column(t, runs[0], "Census entries"), column(t, runs[0], "Conflicting")
	if runs[1][0] != "#3" || runs[1][srv] != "18,000" || runs[1][conf] != "3" {
		t.Errorf("run #3 row %q", runs[1])
	}

	// Each day's row and the total are the database's.
	days := tableRows(t, page, "Table of rows per day")
	head := days[0]
	var wantDays, wantConflictDays int
	var sumServer, sumConflicts int64
	if err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE conflicts > 0), sum(server_events), sum(conflicts) FROM loaded_days`).
		Scan(&wantDays, &wantConflictDays, &sumServer, &sumConflicts); err != nil {
		t.Fatal(err)
	}
	if wantConflictDays == 0 {
		t.Fatal("the fixture should have conflicting re-deliveries")
	}
	if len(days) != wantDays+2 {
		t.Fatalf("%d rows for %d loaded days", len(days), wantDays)
	}
	rows, err := db.Query(`SELECT strftime(day, '%Y-%m-%d'), fetched, loaded, server_events, duplicates, conflicts, rejected FROM loaded_days ORDER BY day DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for i := 1; rows.Next(); i++ {
		var day string
		var f, l, s, d, c, r int64
		if err := rows.Scan(&day, &f, &l, &s, &d, &c, &r); err != nil {
			t.Fatal(err)
		}
		got := days[i]
		for name, v := range map[string]int64{"Fetched": f, "Loaded": l, "Census entries": s, "Duplicates": d, "Conflicting": c, "Rejected": r} {
			if cell := got[column(t, head, name)]; cell != formatCount(v) {
				t.Errorf("%s %s: %s, want %d", day, name, cell, v)
			}
		}
	}
	total := days[len(days)-1]
	if total[0] != "Total" || total[column(t, head, "Census entries")] != formatCount(sumServer) || total[column(t, head, "Conflicting")] != formatCount(sumConflicts) {
		t.Errorf("total row %q, want %d census entries and %d conflicting", total, sumServer, sumConflicts)
	}
	if want := formatCount(sumConflicts) + " re-deliveries on " + formatCount(int64(wantConflictDays)) + " day(s)"; !strings.Contains(text, want) {
		t.Errorf("health.html lacks the conflicts notice %q", want)
	}
	if n := bytes.Count(page, []byte(`class="h-srv"`)); n == 0 {
		t.Error("the chart has no census entries")
	}

	_, text = parse(t, "index.html", files["index.html"])
	if !strings.Contains(text, "census entries") {
		t.Error("the overview's health summary lacks the census entries")
	}
}

// TestHealthSaysWhichDaysDoNotAddUp: a day whose terms do not add up to
// its fetched rows is marked, the census entries being one of the terms.
func TestHealthSaysWhichDaysDoNotAddUp(t *testing.T) {
	db := newFixtureDB(t, fixture{days: 5})
	if _, err := db.Exec(`UPDATE loaded_days SET server_events = server_events + 1 WHERE day = (SELECT max(day) FROM loaded_days)`); err != nil {
		t.Fatal(err)
	}
	files, err := Build(context.Background(), db, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(files["health.html"], []byte("counts do not add up")); n != 1 {
		t.Errorf("%d days marked as not adding up, want 1", n)
	}
}

// TestHealthShowsTheCensusPerDayAndType: a column per type of the
// server's list, in its order, one for the others; a row per recent
// loaded day, a day without entries marked; the unknown types listed as
// text.
func TestHealthShowsTheCensusPerDayAndType(t *testing.T) {
	files, db := hostileSite(t)
	page := files["health.html"]
	rows := tableRows(t, page, "Table of census entries per day and type")
	head := rows[0]
	if want := append(append([]string{"Day", "Total"}, persona.ServerEventTypes...), "Other types"); !slices.Equal(head, want) {
		t.Errorf("head %q, want %q", head, want)
	}
	var recent int
	if err := db.QueryRow(`SELECT count(*) FROM loaded_days WHERE day > (SELECT max(day) FROM loaded_days) - ?::INTEGER`, otherWindowDays).Scan(&recent); err != nil {
		t.Fatal(err)
	}
	if len(rows)-1 != recent {
		t.Errorf("%d day rows, want the %d recent loaded days", len(rows)-1, recent)
	}
	byDay := map[string][]string{}
	for _, r := range rows[1:] {
		byDay[strings.Fields(r[0])[0]] = r
	}
	last := byDay[fixtureThrough.Format(time.DateOnly)]
	var signin, total int64
	if err := db.QueryRow(`SELECT sum(events) FILTER (WHERE type = 'signin'), sum(events) FROM day_server_types WHERE day = ?`, fixtureThrough).Scan(&signin, &total); err != nil {
		t.Fatal(err)
	}
	if last[column(t, head, "signin")] != formatCount(signin) || last[column(t, head, "Total")] != formatCount(total) || last[column(t, head, "Other types")] != "15" {
		t.Errorf("%s: %q, want %d signin of %d, 15 of other types", fixtureThrough.Format(time.DateOnly), last, signin, total)
	}
	if gap := byDay[fixtureCensusGap.Format(time.DateOnly)]; !strings.Contains(gap[0], "no census entries") || gap[1] != "0" {
		t.Errorf("the day without census entries is not marked: %q", gap)
	}
	var unknown []string
	for _, r := range tableRows(t, page, "Census types outside the server’s list")[1:] {
		unknown = append(unknown, r[0])
	}
	for _, v := range []string{evilScript, evilImg, `en\u2028US\u2029x`, "Signin"} {
		if !slices.Contains(unknown, v) {
			t.Errorf("the unknown census type %q is not listed as text: %q", v, unknown)
		}
	}
	for _, known := range persona.ServerEventTypes {
		if slices.Contains(unknown, known) {
			t.Errorf("the known type %s is listed as unknown", known)
		}
	}
}

// TestLongValuesAreCutForDisplay: a value of 1 MB (raw OS), 100 kB (an
// event name) or 18 kB (a census type) is shown as its first valueMax
// characters and "…", still escaped; a long segment is cut on the KPI
// page, and kept whole in the version's CSV.
func TestLongValuesAreCutForDisplay(t *testing.T) {
	files, _ := hostileSite(t)
	page := files["health.html"]
	if len(page) > 400<<10 {
		t.Errorf("health.html is %d bytes", len(page))
	}
	_, text := parse(t, "health.html", page)
	for _, v := range []string{evilHugeOS, evilLongEvent, strings.Repeat("stage_user.success", 1000)} {
		want := shown(v)
		if !strings.HasSuffix(want, "…") || utf8.RuneCountInString(cut(v, valueMax)) != valueMax+1 {
			t.Fatalf("shown(%.20q…) = %.40q", v, want)
		}
		if !strings.Contains(text, want) {
			t.Errorf("health.html lacks the cut value %.60q…", want)
		}
		if strings.Contains(text, visible(strings.TrimSuffix(cut(v, 2*valueMax), "…"))) {
			t.Errorf("health.html shows more than %d characters of %.30q…", valueMax, v)
		}
	}

	data := chartData(t, "sign_in_attempts.html", files["sign_in_attempts.html"])
	var sawLong bool
	for _, sg := range data.Segmentations {
		for _, m := range sg.Segments {
			if n := utf8.RuneCountInString(m.Name); n > valueMax+1 {
				t.Errorf("segment %.30q… is %d characters long on the page", m.Name, n)
			}
			sawLong = sawLong || m.Name == cut(evilLongSeg, valueMax)
		}
	}
	if !sawLong {
		t.Error("the long Browser segment is not on the page, cut")
	}
	if !bytes.Contains(files["sign_in_attempts.v1.csv"], []byte(","+evilLongSeg+",")) {
		t.Error("the CSV does not keep the long segment whole")
	}
}

func TestCutCountsCharacters(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""}, {"abc", 3, "abc"}, {"abcd", 3, "abc…"}, {"ééé", 3, "ééé"}, {"éééé", 3, "ééé…"}, {"a\u2028bc", 2, "a\u2028…"},
	} {
		if got := cut(c.in, c.n); got != c.want {
			t.Errorf("cut(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// TestHealthShowsTheSampleRateMix: per recent day and per OS segment, the
// share of blobs at each rate, the most frequent rates as columns in
// ascending order, the others together, a missing rate as none; OS
// segments from the data as text.
func TestHealthShowsTheSampleRateMix(t *testing.T) {
	files, db := hostileSite(t)
	page := files["health.html"]
	_, text := parse(t, "health.html", page)
	if !strings.Contains(text, "moves every unweighted number") {
		t.Error("the page does not say why the mix matters")
	}
	days := tableRows(t, page, "Table of sample rates per day")
	want := []string{"Day", "Blobs", "Mix", "0.1", "0.25", "0.34", "0.35", "0.5", "0.7", "other rates", "none"}
	if !slices.Equal(days[0], want) {
		t.Errorf("head %q, want %q", days[0], want)
	}
	head := days[0]
	day := fixtureThrough.AddDate(0, 0, -15)
	var phones, all int64
	if err := db.QueryRow(`SELECT sum(sessions) FILTER (WHERE sample_rate = 0.5), sum(sessions) FROM day_sample_rates WHERE day = ?`, day).Scan(&phones, &all); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range days[1:] {
		if r[0] == day.Format(time.DateOnly) {
			found = true
			if r[column(t, head, "0.5")] != share(phones, all) || r[column(t, head, "Blobs")] != formatCount(all) || r[column(t, head, "0.25")] != "–" {
				t.Errorf("%s: %q, want %s of %d at 0.5 and none at 0.25", r[0], r, share(phones, all), all)
			}
		}
	}
	if !found {
		t.Errorf("no row for %s", day.Format(time.DateOnly))
	}

	byOS := map[string][]string{}
	for _, r := range tableRows(t, page, "Table of sample rates by OS segment")[1:] {
		byOS[r[0]] = r
	}
	if r := byOS["Windows 7"]; r == nil || r[column(t, head, "0.1")] != "100.0%" {
		t.Errorf("Windows 7: %q, want all at 0.1", r)
	}
	if r := byOS["Android"]; r == nil || r[column(t, head, "0.25")] == "–" || r[column(t, head, "0.5")] == "–" {
		t.Errorf("Android: %q, want its change from 0.5 to 0.25", r)
	}
	if r := byOS["iOS"]; r == nil || r[column(t, head, "none")] == "–" {
		t.Errorf("iOS: %q, want some blobs without a rate", r)
	}
	for _, os := range []string{evilScript, shown(evilLineSep), shown(evilHugeOS)} {
		if byOS[os] == nil {
			t.Errorf("the OS segment %.40q is not shown as text", os)
		}
	}
}

package reports

import (
	"strings"
	"testing"

	"github.com/persona-kpi/kpi/compute"
	kpisql "github.com/persona-kpi/kpi/sql"
)

// TestEveryKPIsSubjectFollowsWhatItsSQLReads: over the real definitions,
// the census KPIs count census entries and every other KPI sessions.
func TestEveryKPIsSubjectFollowsWhatItsSQLReads(t *testing.T) {
	defs, err := compute.LoadDefinitions(kpisql.KPIs())
	if err != nil {
		t.Fatal(err)
	}
	all, err := compute.LoadFacts(kpisql.Facts())
	if err != nil {
		t.Fatal(err)
	}
	facts := map[string]string{}
	for _, f := range all {
		facts[f.Ref().Table()] = f.SQL
	}
	census := map[string]bool{"server_accounts_created": true, "server_census": true}
	for _, d := range defs {
		want := dialogSubject
		if census[d.ID] {
			want = censusSubject
		}
		if got := subjectOf(d.SQL, facts); got != want {
			t.Errorf("%s counts %q, want %q (a new census KPI? add it to this test)", d.Key(), got.Plural, want.Plural)
		}
	}
}

func TestSubjectOfIgnoresCommentsAndStrings(t *testing.T) {
	for _, c := range []struct {
		sql  string
		want subject
	}{
		{"SELECT day FROM kpi_server_events -- unlike kpi_blobs\nGROUP BY day", censusSubject},
		{"SELECT day FROM kpi_server_events /* not kpi_sessions */ WHERE type <> 'kpi_events'", censusSubject},
		{"SELECT day FROM kpi_segments WHERE x = 'it''s kpi_server_events'", dialogSubject},
		{"SELECT day, count(*) FROM kpi_event_lists GROUP BY day", dialogSubject},
		{"SELECT day FROM kpi_event_lists JOIN kpi_server_events USING (day)", unknownSubject},
		{"SELECT s.day FROM kpi_blobs s JOIN kpi_server_events c USING (day)", unknownSubject},
		{"SELECT day FROM sessions", unknownSubject},
		{"", unknownSubject},
		{"SELECT day FROM my_kpi_server_events_copy", unknownSubject},
	} {
		if got := subjectOf(c.sql, nil); got != c.want {
			t.Errorf("subjectOf(%q) = %q, want %q", c.sql, got.Plural, c.want.Plural)
		}
	}
}

// TestCensusKPIsSayTheyCountCensusEntries: a census KPI's unit, axis and
// definition name census entries, not sessions; a blob KPI's keep
// naming sessions.
func TestCensusKPIsSayTheyCountCensusEntries(t *testing.T) {
	files, _ := hostileSite(t)
	for _, page := range []string{"server_accounts_created.html", "server_census.html"} {
		_, text := parse(t, page, files[page])
		for _, want := range []string{"a count of the server’s census entries", "Census entries per day", "not sampled"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s lacks %q", page, want)
			}
		}
		for _, wrong := range []string{"Sessions per day", "dialog sessions", "for all sessions", "Only sessions", "Mean per session"} {
			if strings.Contains(text, wrong) {
				t.Errorf("%s says %q", page, wrong)
			}
		}
		if !strings.Contains(string(files[page]), `"ylabel":"Census entries per day"`) {
			t.Errorf("%s: the chart data's axis label is not the census's", page)
		}
	}
	_, text := parse(t, "server_census.html", files["server_census.html"])
	if !strings.Contains(text, "for all census entries (Total) and for each segment of Type.") {
		t.Error("server_census.html does not say what its Total counts")
	}
	_, text = parse(t, "sign_in_attempts.v1.html", files["sign_in_attempts.v1.html"])
	for _, want := range []string{"a count of dialog sessions", "Sessions per day", "for all sessions (Total)", "Only sessions with a non-empty event stream count."} {
		if !strings.Contains(text, want) {
			t.Errorf("sign_in_attempts.v1.html lacks %q", want)
		}
	}
}

package reports

import (
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/config"
)

// milestoneView is a configured milestone as the pages show it.
type milestoneView struct {
	// Label has its HTML entities decoded ("&alpha; release" is "α
	// release"); html/template escapes it again wherever it goes.
	Label    string
	From, To string   // YYYY-MM-DD, equal for a single day
	KPIs     []string // the KPI ids it concerns; none means every KPI
	Href     string   // its page

	first, last time.Time
}

// Span reports whether the milestone lasts more than one day.
func (m milestoneView) Span() bool { return m.From != m.To }

// When is the milestone's day, or its first and last day.
func (m milestoneView) When() string {
	if m.Span() {
		return m.From + " to " + m.To
	}
	return m.From
}

func (m milestoneView) concerns(id string) bool {
	return len(m.KPIs) == 0 || slices.Contains(m.KPIs, id)
}

// newMilestones reads the configured milestones in day order, each with a
// page name that no other page of the site uses.
func newMilestones(ms []config.Milestone, used map[string]bool) ([]milestoneView, error) {
	var out []milestoneView
	for _, m := range ms {
		first, last, err := m.Days()
		if err != nil {
			return nil, fmt.Errorf("milestone %q: %w", m.Milestone, err)
		}
		out = append(out, milestoneView{Label: html.UnescapeString(m.Milestone), KPIs: m.KPIs,
			From: first.Format(time.DateOnly), To: last.Format(time.DateOnly), first: first, last: last})
	}
	slices.SortStableFunc(out, func(a, b milestoneView) int {
		if c := a.first.Compare(b.first); c != 0 {
			return c
		}
		return a.last.Compare(b.last)
	})
	for i := range out {
		slug := "milestone-" + out[i].From
		if words := wordSlug(out[i].Label); words != "" {
			slug += "-" + words
		}
		for base, n := slug, 2; used[slug]; n++ {
			slug = base + "-" + strconv.Itoa(n)
		}
		used[slug] = true
		out[i].Href = slug + ".html"
	}
	return out, nil
}

// wordSlug is up to 40 characters of s's ASCII letters and digits, other
// runs of characters becoming one hyphen: a readable file name part.
func wordSlug(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			gap = false
		} else {
			gap = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	return b.String()
}

// milestonesOf lists the milestones that concern a KPI and overlap days:
// the ones its page numbers and may draw.
func (s *site) milestonesOf(id string, days []time.Time) []milestoneView {
	var out []milestoneView
	for _, m := range s.miles {
		if m.concerns(id) && m.overlaps(days) {
			out = append(out, m)
		}
	}
	return out
}

func (m milestoneView) overlaps(days []time.Time) bool {
	return len(days) > 0 && !m.last.Before(days[0]) && !m.first.After(days[len(days)-1])
}

// milestoneJSON is a milestone as report.js reads it: N is its number on
// the page's chart and list.
type milestoneJSON struct {
	N     int    `json:"n"`
	Label string `json:"label"`
	From  string `json:"from"`
	To    string `json:"to"`
	Href  string `json:"href"`
}

// milestoneItem is one entry of the list under a chart.
type milestoneItem struct {
	milestoneView
	N       int
	InRange bool // within the days the server-drawn chart shows
}

// milestoneItems numbers a KPI's milestones as its chart does, marking
// those that fall within days.
func milestoneItems(ms []milestoneView, days []time.Time) []milestoneItem {
	var out []milestoneItem
	for i, m := range ms {
		out = append(out, milestoneItem{milestoneView: m, N: i + 1, InRange: m.overlaps(days)})
	}
	return out
}

func milestonesJSON(ms []milestoneView) []milestoneJSON {
	out := []milestoneJSON{}
	for i, m := range ms {
		out = append(out, milestoneJSON{N: i + 1, Label: m.Label, From: m.From, To: m.To, Href: m.Href})
	}
	return out
}

// compareDays is how many days before and after a milestone its page
// compares.
const compareDays = 7

// milestonePage compares every KPI the milestone concerns over the 7 days
// before it and the 7 days after it; the milestone's own days are left out,
// as a release or an outage rarely starts at midnight.
type milestonePage struct {
	layout
	M             milestoneView
	Before, After string // the two windows, as dates
	Rows          []milestoneRow
}

type milestoneRow struct {
	Title, Href, Measure    string
	Before, After           string
	BeforeDays, AfterDays   int // days with data in each window
	Change, Dir, Judgement  string
	Verdict, Why            string // as a headline's
	ShortBefore, ShortAfter bool   // fewer than 7 days with data
}

func (s *site) milestonePage(m milestoneView) milestonePage {
	p := milestonePage{layout: s.layout(m.Label+" · Milestones · Persona sign-in KPIs", m.Label+" ("+m.When()+"): the KPIs over the 7 days before and after.", "milestone", ""), M: m}
	b0, b1 := m.first.AddDate(0, 0, -compareDays), m.first.AddDate(0, 0, -1)
	a0, a1 := m.last.AddDate(0, 0, 1), m.last.AddDate(0, 0, compareDays)
	p.Before = b0.Format(time.DateOnly) + " to " + b1.Format(time.DateOnly)
	p.After = a0.Format(time.DateOnly) + " to " + a1.Format(time.DateOnly)
	for _, d := range s.latest {
		if !m.concerns(d.ID) {
			continue
		}
		row := milestoneRow{Title: d.Title, Href: s.href(d.ID, 0), Before: "–", After: "–"}
		r := s.results(d)
		if r == nil || r.last < 0 {
			p.Rows = append(p.Rows, row)
			continue
		}
		ms := s.headlineMeasure(d, r)
		row.Measure = measureName(d, r, ms)
		before, bn := s.window(ms, b0, b1)
		after, an := s.window(ms, a0, a1)
		row.Before, row.After = formatValue(ms.unit, ms.shown(before).Value), formatValue(ms.unit, ms.shown(after).Value)
		row.BeforeDays, row.AfterDays = bn, an
		row.ShortBefore, row.ShortAfter = bn < compareDays, an < compareDays
		row.judge(d, ms, before, after)
		row.Href += s.aroundHash(r, m.first.AddDate(0, 0, -3*compareDays), m.last.AddDate(0, 0, 3*compareDays))
		p.Rows = append(p.Rows, row)
	}
	return p
}

// window is a measure over the days from a to b that the data has, and how
// many of them have data.
func (s *site) window(m measure, a, b time.Time) (periodEstimate, int) {
	i, j, ok := s.clip(a, b)
	if !ok || isQuantile(m) {
		return s.quantileWindow(m, i, j, ok), s.coveredDays(i, j)
	}
	return m.period(i, j), s.coveredDays(i, j)
}

// quantileWindow is the mean of a quantile's daily values over days i to
// j: quantiles of a window cannot be made from the days'. It has no
// interval.
func (s *site) quantileWindow(m measure, i, j int, ok bool) periodEstimate {
	var sum float64
	var n int
	for k := i; ok && k <= j; k++ {
		if v := m.daily(k); !math.IsNaN(v) {
			sum, n = sum+v, n+1
		}
	}
	p := periodEstimate{Interval: noEstimate, days: n}
	if n > 0 {
		p.Value = sum / float64(n)
	}
	return p
}

// judge fills in a row's change, coloured only when its interval
// excludes 0.
func (row *milestoneRow) judge(d kpiDef, m measure, before, after periodEstimate) {
	c := m.change(before, after)
	if isQuantile(m) {
		c.Lo, c.Hi = math.NaN(), math.NaN() // means of daily quantiles: no interval
	}
	base := m.shown(before).Value
	row.Change, row.Dir = change(m.unit, base+c.Value, base)
	if row.Change == "" {
		return
	}
	switch {
	case !c.Bounded():
		row.Verdict, row.Why = "not judged", "No interval: whether this change is more than noise cannot be told."
	case !c.Excludes(0):
		row.Verdict, row.Dir = "no clear change", "flat"
		row.Why = "The 95% interval of the change, " + signed(m.unit, c.Lo, base) + " to " + signed(m.unit, c.Hi, base) + ", includes 0."
	default:
		row.Judgement = judge(d.Better, row.Dir)
		row.Verdict = verdict(row.Judgement, row.Dir)
		row.Why = "The 95% interval of the change, " + signed(m.unit, c.Lo, base) + " to " + signed(m.unit, c.Hi, base) + ", excludes 0."
	}
}

// clip turns days a to b into indices of the site's day axis: the first
// and last of its days within them, ok false if none is.
func (s *site) clip(a, b time.Time) (i, j int, ok bool) {
	i, j = atOrAfter(s.ds.days, a), atOrBefore(s.ds.days, b)
	return i, j, i <= j
}

// aroundHash is a KPI page's URL fragment showing days a to b, cut to the
// version's days.
func (s *site) aroundHash(r *kpiResults, a, b time.Time) string {
	i, j, ok := s.clip(a, b)
	if !ok {
		return ""
	}
	i, j = max(i, r.first), min(j, r.last)
	if i > j {
		return ""
	}
	return "#from=" + s.ds.days[i].Format(time.DateOnly) + "&to=" + s.ds.days[j].Format(time.DateOnly)
}

// measureName says what a milestone page's value of d is.
func measureName(d kpiDef, r *kpiResults, m measure) string {
	switch {
	case m.started != nil:
		return "share completing all steps"
	case d.Kind == "quantiles":
		return "mean of the daily " + mainStep(d, r)
	case d.Unit == "count":
		return "daily mean"
	}
	return "the 7 days pooled"
}

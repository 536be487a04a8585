package reports

import (
	"math"
	"strconv"
	"time"
)

// The server's census as a check on the dialog (docs/data.md §2.5.8): the
// dialog's estimate of new accounts whose address Persona verified (the
// latest new_users, segment Outcome/fallback) beside the server's exact
// count of complete_user_creation.success (the latest
// server_accounts_created), per day.

const (
	checkPage        = "census-check"
	checkEstimateKPI = "new_users"
	checkCensusKPI   = "server_accounts_created"
)

// censusCheck is the comparison, day by day.
type censusCheck struct {
	Why           string // why there is no check, when there is none
	Estimate      navItem
	Census        navItem
	Rows          []checkRow // every day with both, newest first
	Outside, Days int
	Above         int // days outside with the census above the interval
}

// checkRow is one day: the estimate with its interval, the census, and
// whether the census falls outside the interval.
type checkRow struct {
	Day                        string
	Estimate, Interval, Census string
	Gap                        string // census − estimate, as a share of the estimate
	Outside, Above             bool
	day                        time.Time
	i                          int
}

// Available reports whether both sides exist on some day.
func (c censusCheck) Available() bool { return c.Why == "" }

// censusCheck sets the two KPIs' latest versions side by side.
func (s *site) censusCheck() censusCheck {
	est, cen, why := s.checkSeries()
	c := censusCheck{Why: why}
	if why != "" {
		return c
	}
	c.Estimate = navItem{Href: s.href(checkEstimateKPI, 0), Title: s.latestDef(checkEstimateKPI).Title}
	c.Census = navItem{Href: s.href(checkCensusKPI, 0), Title: s.latestDef(checkCensusKPI).Title}
	for i := len(s.ds.days) - 1; i >= 0; i-- {
		v, lo, hi, n := est.v[i], est.lo[i], est.hi[i], cen.v[i]
		if math.IsNaN(v) || math.IsNaN(lo) || math.IsNaN(hi) || math.IsNaN(n) {
			continue
		}
		row := checkRow{Day: s.ds.days[i].Format(time.DateOnly), day: s.ds.days[i], i: i,
			Estimate: formatValue("count", v), Interval: formatValue("count", lo) + " to " + formatValue("count", hi),
			Census: formatValue("count", n), Outside: n < lo || n > hi, Above: n > hi}
		if v > 0 {
			row.Gap = signed("count", n-v, v)
		}
		c.Days++
		if row.Outside {
			c.Outside++
		}
		if row.Above {
			c.Above++
		}
		c.Rows = append(c.Rows, row)
	}
	if c.Days == 0 {
		c.Why = "The two have no day in common yet."
	}
	return c
}

// checkSeries finds the two series the check compares, or says why it
// cannot be made.
func (s *site) checkSeries() (est, cen *series, why string) {
	e, ok := s.latestOf(checkEstimateKPI)
	if !ok {
		return nil, nil, "There is no " + checkEstimateKPI + " KPI."
	}
	c, ok := s.latestOf(checkCensusKPI)
	if !ok {
		return nil, nil, "There is no " + checkCensusKPI + " KPI."
	}
	r := s.results(e)
	if !e.estimates() || r == nil || r.cells["Outcome"]["fallback"][""] == nil {
		return nil, nil, "The latest version of " + checkEstimateKPI + " (version " + strconv.Itoa(e.Version) +
			") does not estimate new accounts by Outcome with intervals, so there is nothing to set against the census yet."
	}
	if s.total(c, "") == nil {
		return nil, nil, "The latest version of " + checkCensusKPI + " has no results yet."
	}
	return r.cells["Outcome"]["fallback"][""], s.total(c, ""), ""
}

// latestOf is a KPI's latest version.
func (s *site) latestOf(id string) (kpiDef, bool) {
	vs := s.byID[id]
	if len(vs) == 0 {
		return kpiDef{}, false
	}
	return vs[len(vs)-1], true
}

func (s *site) latestDef(id string) kpiDef {
	d, _ := s.latestOf(id)
	return d
}

// censusPage is the check's own page.
type censusPage struct {
	layout
	Check  censusCheck
	Chart  []lineChartView
	Legend []legendItem
	Range  string
}

func (s *site) censusPage() censusPage {
	p := censusPage{layout: s.layout("The dialog against the server’s census · Persona sign-in KPIs",
		"New verified accounts per day: the dialog’s estimate from its sampled sessions beside the server’s exact count.", "census", ""),
		Check: s.censusCheck()}
	if !p.Check.Available() {
		return p
	}
	est, cen, _ := s.checkSeries()
	last := p.Check.Rows[0].i
	from := max(p.Check.Rows[len(p.Check.Rows)-1].i, s.ds.since(last, DefaultDays))
	days := s.ds.days[from : last+1]
	lines := []lineSeries{
		{Name: "Dialog’s estimate (verified new accounts)", Color: "c0", Values: est.v[from : last+1], Lo: est.lo[from : last+1], Hi: est.hi[from : last+1]},
		{Name: "Server’s count (complete_user_creation.success)", Color: "c1", Dash: "d1", Values: cen.v[from : last+1]},
	}
	p.Range = rangeText(days, from > p.Check.Rows[len(p.Check.Rows)-1].i)
	p.Chart = lineCharts(lineInput{days: days, lines: lines, unit: "count", yLabel: "New accounts per day",
		aria: "New verified accounts per day, the dialog’s estimate with its 95% interval and the server’s count, " + p.Range})
	p.Legend = legend(lines)
	return p
}

// recentOutside are the days of the last otherWindowDays whose census
// falls outside the dialog's interval, for the health page.
func (c censusCheck) recentOutside(since time.Time) []checkRow {
	var out []checkRow
	for _, r := range c.Rows {
		if r.Outside && r.day.After(since) {
			out = append(out, r)
		}
	}
	return out
}

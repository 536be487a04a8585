package reports

import (
	"math"
	"time"

	"github.com/persona-kpi/kpi/stats"
)

// A measure is one number a page follows over time: a KPI's headline, or
// one segment of it. It says how to estimate it over a period of days and
// how to judge a change between two periods, after the version's
// estimate (compute/doc.go, Estimates):
//
//   - total, rate, mean: a period's days' sums are added and estimated
//     again (package stats), a change by stats.DiffTotals, DiffRates or
//     DiffMeans.
//   - census: exact counts; a change is judged against the counts' own
//     Poisson variance (stats.DiffTotals): did the process change?
//   - quantiles: one day at a time (a quantile is not additive), a change
//     from the two days' intervals (stats.DiffIntervals).
//   - sample: the sampled blobs as they are, no interval: a change is
//     shown but never judged.
type measure struct {
	unit    string // the unit the value is shown in
	method  string // as above
	perDay  bool   // a count: periods are shown per day
	started []float64
	daily   func(i int) float64
	over    func(days []int) periodEstimate // the measure over these day indices
}

// period is the measure over the days from to to.
func (m measure) period(from, to int) periodEstimate {
	days := make([]int, 0, max(to-from+1, 0))
	for i := max(from, 0); i <= to; i++ {
		days = append(days, i)
	}
	return m.over(days)
}

// periodEstimate is a measure over some days: the estimate with its 95%
// interval (Value NaN: none; ends NaN: no interval), the sampled blobs
// behind it, the days with data, and the summed sums it came from.
type periodEstimate struct {
	stats.Interval
	obs  float64
	days int
	sums stats.Sums
}

var noEstimate = stats.Interval{Value: math.NaN(), Lo: math.NaN(), Hi: math.NaN()}

// shown is the estimate as a page shows it: per day for a count.
func (m measure) shown(p periodEstimate) stats.Interval {
	if !m.perDay || p.days == 0 {
		return p.Interval
	}
	k := float64(p.days)
	return stats.Interval{Value: p.Value / k, Lo: p.Lo / k, Hi: p.Hi / k}
}

// judged reports whether the measure's changes can be told from noise:
// its estimates have intervals.
func (m measure) judged() bool {
	switch m.method {
	case "total", "rate", "mean", "census", "quantiles":
		return true
	}
	return false
}

// change is b − a in the measure's shown unit, with its interval and
// p-value. Counts over periods with different days of data are compared
// per day.
func (m measure) change(a, b periodEstimate) stats.Change {
	if math.IsNaN(a.Value) || math.IsNaN(b.Value) {
		return stats.Change{Interval: noEstimate, P: math.NaN()}
	}
	sameDays := a.days == b.days
	switch {
	case m.method == "total" && sameDays:
		return scaled(stats.DiffTotals(a.sums, b.sums), m.perDayScale(a))
	case m.method == "rate":
		return stats.DiffRates(a.sums, b.sums)
	case m.method == "mean":
		return stats.DiffMeans(a.sums, b.sums)
	case m.method == "census":
		return stats.DiffTotals(censusSums(a.Value, m.perDayScale(a)), censusSums(b.Value, m.perDayScale(b)))
	case m.method == "total" || m.method == "quantiles":
		return stats.DiffIntervals(m.shown(a), m.shown(b))
	}
	sa, sb := m.shown(a), m.shown(b)
	return stats.Change{Interval: stats.Interval{Value: sb.Value - sa.Value, Lo: math.NaN(), Hi: math.NaN()}, P: math.NaN()}
}

// perDayScale is what turns a period's total into a daily one.
func (m measure) perDayScale(p periodEstimate) float64 {
	if !m.perDay || p.days == 0 {
		return 1
	}
	return 1 / float64(p.days)
}

func scaled(c stats.Change, k float64) stats.Change {
	c.Value, c.Lo, c.Hi = c.Value*k, c.Lo*k, c.Hi*k
	return c
}

// censusSums are the sums of an exact count v shown scaled by k (1/days
// for a count per day): v units of weight k, so Num is the count as shown
// and stats.DiffTotals judges a change of it against the count's own
// Poisson variance, W2Y2 = v·k².
func censusSums(v, k float64) stats.Sums {
	return stats.Sums{N: v, Y: v, Num: v * k, Den: v * k, W2: v * k * k, W2Y: v * k * k, W2Y2: v * k * k, WY2: v * k}
}

// coveredDays counts the days from to to that have any result.
func (s *site) coveredDays(from, to int) int {
	n := 0
	for i := max(from, 0); i <= to; i++ {
		if s.ds.covered[i] {
			n++
		}
	}
	return n
}

// covered counts the days of idx that have any result.
func (s *site) covered(idx []int) int {
	n := 0
	for _, i := range idx {
		if s.ds.covered[i] {
			n++
		}
	}
	return n
}

// seriesMeasure measures one series of d in unit, by method.
func (s *site) seriesMeasure(d kpiDef, ser *series, unit, method string) measure {
	vals := s.values(d, ser, 0)
	m := measure{unit: unit, method: method, perDay: unit == "count", daily: func(i int) float64 { return vals[i] }}
	switch method {
	case "total", "rate", "mean":
		m.over = s.sumsOver(ser, method)
		if method != "total" {
			m.daily = func(i int) float64 { return estimateSums(method, ser.sums[i]).Value }
		}
	case "quantiles":
		m.over = func(days []int) periodEstimate {
			if ser == nil || len(days) != 1 {
				return periodEstimate{Interval: noEstimate}
			}
			i := days[0]
			return periodEstimate{Interval: stats.Interval{Value: ser.v[i], Lo: ser.lo[i], Hi: ser.hi[i]}, obs: ser.obs[i], days: 1}
		}
	default:
		m.over = func(days []int) periodEstimate {
			p := periodEstimate{days: s.covered(days)}
			p.Interval = stats.Interval{Value: s.aggregateDays(d, ser, days, false), Lo: math.NaN(), Hi: math.NaN()}
			if method == "census" && !math.IsNaN(p.Value) {
				p.Interval, p.obs = stats.Census(p.Value), p.Value
			}
			return p
		}
	}
	if method == "sample" && d.Kind == "quantiles" {
		m.method = "sample quantiles"
	}
	return m
}

// sumsOver estimates a series over some days from their summed sums.
func (s *site) sumsOver(ser *series, method string) func(days []int) periodEstimate {
	return func(days []int) periodEstimate {
		p := periodEstimate{days: s.covered(days)}
		if ser != nil && ser.sums != nil {
			for _, i := range days {
				p.sums = p.sums.Add(ser.sums[i])
			}
		}
		if p.days == 0 || ser == nil {
			p.Interval = noEstimate
			return p
		}
		p.Interval = estimateSums(method, p.sums)
		p.obs = p.sums.N
		if method == "total" {
			p.obs = p.sums.Y
		}
		return p
	}
}

// estimateSums is package stats's estimate of summed sums by method.
func estimateSums(method string, sums stats.Sums) stats.Interval {
	switch method {
	case "total":
		return stats.Total(sums)
	case "rate":
		return stats.Rate(sums)
	case "mean":
		return stats.Mean(sums)
	}
	return noEstimate
}

// headlineMeasure is d's measure: the share of a funnel's first step
// completing its last, else the Total of its main step.
func (s *site) headlineMeasure(d kpiDef, r *kpiResults) measure {
	if d.Kind == "funnel" {
		if fs := funnelSteps(r); len(fs) > 0 {
			return s.funnelMeasure(d, r, fs)
		}
	}
	return s.seriesMeasure(d, s.total(d, mainStep(d, r)), d.Unit, d.method())
}

// funnelMeasure is the share of those at a funnel's first step that
// reached its last. Where the steps carry sums, every step's row sums the
// blobs that entered the flow, so the last step's sums estimate that
// share as a rate; otherwise it is the last step's count over the
// first's.
func (s *site) funnelMeasure(d kpiDef, r *kpiResults, steps []string) measure {
	first, final := s.total(d, steps[0]), s.total(d, steps[len(steps)-1])
	fv := s.values(d, first, 0)
	if d.additive() && final != nil && final.sums != nil {
		m := s.seriesMeasure(d, final, "rate", "rate")
		m.started = fv
		return m
	}
	lv := s.values(d, final, 0)
	return measure{
		unit: "rate", method: d.method(), started: fv,
		daily: func(i int) float64 {
			if fv[i] > 0 {
				return lv[i] / fv[i]
			}
			return math.NaN()
		},
		over: func(days []int) periodEstimate {
			v := math.NaN()
			if b := s.aggregateDays(d, first, days, false); b > 0 {
				v = s.aggregateDays(d, final, days, false) / b
			}
			return periodEstimate{Interval: stats.Interval{Value: v, Lo: math.NaN(), Hi: math.NaN()}, days: s.covered(days)}
		},
	}
}

// comparison is a measure over two periods and the change between them.
type comparison struct {
	before, after periodEstimate
	change        stats.Change
	beforeDays    string // the earlier period, as dates
	pairs         int    // weekdays compared
}

// real reports whether the change is more than noise: its interval
// excludes 0.
func (c comparison) real() bool { return c.change.Excludes(0) }

// lastWeeks compares the 7 days up to day i with the 7 before, or for a
// quantile day i with the same weekday a week earlier: like with like,
// whatever the weekday rhythm. A weekday without data in either week is
// left out of both.
func (s *site) lastWeeks(m measure, i int) (comparison, bool) {
	day := s.ds.days[i]
	var after, before []int
	for k := range tileDays {
		if isQuantile(m) && k > 0 {
			break
		}
		ia, okA := s.ds.dayIndex[day.AddDate(0, 0, -k)]
		ib, okB := s.ds.dayIndex[day.AddDate(0, 0, -k-7)]
		if okA && okB && s.ds.covered[ia] && s.ds.covered[ib] {
			after, before = append(after, ia), append(before, ib)
		}
	}
	if len(after) == 0 {
		return comparison{}, false
	}
	c := comparison{before: m.over(before), after: m.over(after), pairs: len(after)}
	c.beforeDays = day.AddDate(0, 0, -13).Format(time.DateOnly) + " to " + day.AddDate(0, 0, -7).Format(time.DateOnly)
	if isQuantile(m) {
		c.beforeDays = day.AddDate(0, 0, -7).Format(time.DateOnly)
	}
	c.change = m.change(c.before, c.after)
	return c, !math.IsNaN(c.before.Value) && !math.IsNaN(c.after.Value)
}

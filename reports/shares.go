package reports

import (
	"math"
	"strconv"
	"strings"

	"github.com/persona-kpi/kpi/stats"
)

// sharesView is a distribution: the share of sessions in each category
// over the last 7 days, each with its interval and its change against the
// 7 days before. A tile shows it instead of one number where that number
// cannot move (the median of a small whole number) or where the version
// is a distribution.
type sharesView struct {
	Caption string
	Why     string // why a distribution stands in for the value, if it does
	Href    string // the distribution's page
	Items   []shareItem
	Bar     []barPart
	Changed bool // some share changed clearly
}

// shareItem is one category: its share, interval and change, judged as a
// headline's (with no good or bad: a category's rise is neither).
type shareItem struct {
	Name, Value, Interval, Class string
	Change, Dir, Verdict, Why    string
	Judgement                    string
	p                            float64
	real                         bool
}

// sharesFor is the distribution a tile of d shows, or nil.
func (s *site) sharesFor(d kpiDef, li int) *sharesView {
	src, why := d, ""
	switch {
	case d.Kind == "shares":
	case d.Kind == "quantiles" && s.cannotMove(d, li):
		v, ok := s.sharesVersion(d.ID)
		if !ok {
			return nil
		}
		src = v
		why = "The median barely moves (a small whole number), so the tile shows the distribution of version " + strconv.Itoa(v.Version) + "."
	default:
		return nil
	}
	r := s.results(src)
	if r == nil || !src.additive() || !r.hasSums {
		return nil
	}
	sv := &sharesView{Why: why, Href: s.href(src.ID, src.Version),
		Caption: "Share of " + plural(src, 2) + " by category over the last 7 days, estimated from the sample, with 95% intervals"}
	x, n := 0.0, 0.0
	for k, step := range r.steps {
		m := s.seriesMeasure(src, s.total(src, step), "rate", "rate")
		p := m.period(s.ds.since(li, tileDays), li)
		n = max(n, p.obs)
		it := shareItem{Name: name(step), Value: formatValue("rate", p.Value), Class: "c" + strconv.Itoa(k%11), p: math.NaN()}
		if p.Bounded() {
			it.Interval = strings.TrimSuffix(formatValue("rate", p.Lo), "%") + "–" + formatValue("rate", p.Hi)
		}
		if c, ok := s.lastWeeks(m, li); ok {
			it.p, it.real = c.change.P, c.real()
			it.Change, it.Dir = change("rate", c.before.Value+c.change.Value, c.before.Value)
		}
		if !math.IsNaN(p.Value) {
			sv.Bar = append(sv.Bar, barPart{X: r1(x * 100), W: r1(math.Max(p.Value*100, 0.5)), Class: it.Class})
			x += p.Value
		}
		sv.Items = append(sv.Items, it)
	}
	sv.Caption += ", from " + formatCount(int64(math.Round(n))) + " sampled " + plural(src, n)
	judgeShares(sv.Items)
	for _, it := range sv.Items {
		sv.Changed = sv.Changed || it.Verdict != "" && it.Verdict != "no clear change"
	}
	return sv
}

// judgeShares words each category's change: a clear rise or fall only
// when it stays after Benjamini–Hochberg over the categories, which are
// tested together.
func judgeShares(items []shareItem) {
	p := make([]float64, len(items))
	for k, it := range items {
		p[k] = it.p
	}
	flagged := stats.BenjaminiHochberg(p, falseDiscoveries)
	for k := range items {
		it := &items[k]
		switch {
		case it.Change == "":
		case flagged[k] && it.real && it.Dir != "flat":
			it.Verdict = verdict("", it.Dir)
			it.Why = "The 95% interval of the change excludes 0, also after the correction for the categories tested together."
		default:
			it.Verdict, it.Dir = "no clear change", "flat"
			it.Why = "The change may be sampling noise: its interval includes 0, or it does not stay after the correction for the categories tested together."
		}
	}
}

// cannotMove reports whether a quantile's daily values over the last 30
// days take at most three values, all whole or halves: the median of a
// small whole number, which only jumps between neighbours.
func (s *site) cannotMove(d kpiDef, li int) bool {
	r := s.results(d)
	if r == nil {
		return false
	}
	ser := s.total(d, mainStep(d, r))
	seen := map[float64]bool{}
	for i := s.ds.since(li, sparkDays); i <= li; i++ {
		v := ser.v[i]
		if math.IsNaN(v) {
			continue
		}
		if v*2 != math.Trunc(v*2) {
			return false
		}
		seen[v] = true
	}
	return len(seen) > 0 && len(seen) <= 3
}

// sharesVersion is a KPI's latest distribution version.
func (s *site) sharesVersion(id string) (kpiDef, bool) {
	vs := s.byID[id]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Kind == "shares" {
			return vs[i], true
		}
	}
	return kpiDef{}, false
}

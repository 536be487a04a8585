package reports

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/persona-kpi/kpi/stats"
)

// falseDiscoveries is the false-discovery rate at which "What changed"
// lists changes: of the changes it lists, about 5% are noise in the long
// run, however many segments are tested.
const falseDiscoveries = 0.05

// whatChanged is the overview's list of the changes of the last 7 days
// against the 7 before that are more than noise: every KPI × segment of
// the latest versions that estimate with intervals from sums (totals,
// rates and means), judged together by Benjamini–Hochberg.
type whatChanged struct {
	Items  []changeItem
	Tested int64  // comparisons made
	Period string // the two periods, in words
}

// shownChanges is how many changes the overview lists before "more".
const shownChanges = 10

// Top and More split the list: the largest changes, and the others.
func (w whatChanged) Top() []changeItem { return w.Items[:min(len(w.Items), shownChanges)] }

func (w whatChanged) More() []changeItem { return w.Items[min(len(w.Items), shownChanges):] }

// changeItem is one KPI × segment whose change is more than noise.
type changeItem struct {
	Title, Href    string
	Where          string // "Total" or "OS: Android"
	What           string // what of the KPI changed, if not its value
	Before, After  string
	Change, Within string // the change and its 95% interval
	N              string
	Dir, Judgement string
	Verdict, Why   string
	size           float64 // the least change the interval allows, relative to before: the order
	p              float64
}

// candidate is one comparison before the correction.
type candidate struct {
	item changeItem
	c    stats.Change
}

// whatChanged compares every latest estimate's segments over the 7 days
// up to day i with the 7 before.
func (s *site) whatChanged(i int) whatChanged {
	var w whatChanged
	if i < 0 || len(s.ds.days) == 0 {
		return w
	}
	var all []candidate
	for _, d := range s.latest {
		r := s.results(d)
		if r == nil || !d.additive() || !r.hasSums {
			continue
		}
		all = append(all, s.kpiChanges(d, r, i)...)
	}
	p := make([]float64, len(all))
	for k, c := range all {
		p[k] = c.c.P
		if !math.IsNaN(c.c.P) {
			w.Tested++
		}
	}
	for k, flagged := range stats.BenjaminiHochberg(p, falseDiscoveries) {
		if flagged && all[k].c.Excludes(0) {
			w.Items = append(w.Items, all[k].item)
		}
	}
	slices.SortStableFunc(w.Items, func(a, b changeItem) int { return cmp.Compare(b.size, a.size) })
	day := s.ds.days[i]
	w.Period = "the 7 days " + day.AddDate(0, 0, -6).Format(dateOnly) + " to " + day.Format(dateOnly) +
		" against the 7 before, " + day.AddDate(0, 0, -13).Format(dateOnly) + " to " + day.AddDate(0, 0, -7).Format(dateOnly)
	return w
}

const dateOnly = "2006-01-02"

// kpiChanges compares every segment of one version: its value, a
// funnel's share completing its steps, or each share of a distribution.
func (s *site) kpiChanges(d kpiDef, r *kpiResults, i int) []candidate {
	var out []candidate
	for _, segmentation := range s.segmentations(r) {
		bySeg := r.cells[segmentation]
		order := s.segmentOrder(segmentation, bySeg)
		for _, segment := range order {
			for _, t := range s.targets(d, r, bySeg[segment]) {
				c, ok := s.lastWeeks(t.m, i)
				if !ok || math.IsNaN(c.change.P) {
					continue
				}
				item := s.changeItem(d, t, c)
				item.Where = name(segmentation)
				if segmentation != "Total" {
					item.Where += ": " + name(segment)
				}
				item.Href = s.href(d.ID, 0) + segmentHash(segmentation, segment, order, t.step)
				out = append(out, candidate{item: item, c: c.change})
			}
		}
	}
	return out
}

// target is what is compared of one segment: a measure, what it is, and
// the step a KPI page shows it at (-1 for a funnel's completion share).
type target struct {
	m    measure
	what string
	step int
}

func (s *site) targets(d kpiDef, r *kpiResults, bySteps map[string]*series) []target {
	switch d.Kind {
	case "funnel":
		fs := funnelSteps(r)
		if len(fs) == 0 || bySteps[fs[len(fs)-1]] == nil {
			return nil
		}
		return []target{{m: s.seriesMeasure(d, bySteps[fs[len(fs)-1]], "rate", "rate"), what: "share completing all steps", step: -1}}
	case "shares":
		var out []target
		for k, st := range r.steps {
			if ser := bySteps[st]; ser != nil {
				out = append(out, target{m: s.seriesMeasure(d, ser, d.Unit, d.method()), what: "share at “" + name(st) + "”", step: k})
			}
		}
		return out
	}
	ser := bySteps[mainStep(d, r)]
	if ser == nil {
		return nil
	}
	return []target{{m: s.seriesMeasure(d, ser, d.Unit, d.method()), step: 0}}
}

// changeItem words a comparison.
func (s *site) changeItem(d kpiDef, t target, c comparison) changeItem {
	m := t.m
	before, after := m.shown(c.before), m.shown(c.after)
	it := changeItem{Title: d.Title, What: t.what, Before: formatValue(m.unit, before.Value), After: formatValue(m.unit, after.Value), p: c.change.P}
	it.Change, it.Dir = change(m.unit, before.Value+c.change.Value, before.Value)
	it.Within = signed(m.unit, c.change.Lo, before.Value) + " to " + signed(m.unit, c.change.Hi, before.Value)
	if m.perDay {
		it.Before += " per day"
		it.After += " per day"
	}
	it.N = formatCount(int64(math.Round(c.after.obs))) + " and " + formatCount(int64(math.Round(c.before.obs))) + " sampled " + plural(d, 2)
	it.Judgement = judge(d.Better, it.Dir)
	it.Verdict = verdict(it.Judgement, it.Dir)
	it.Why = "The 95% interval of the change, " + it.Within + ", excludes 0, and the change stays after the correction for testing every segment at once."
	// Largest first by the change the interval is sure of, so that a
	// small segment's wide interval does not lead the list.
	if before.Value != 0 {
		it.size = math.Min(math.Abs(c.change.Lo), math.Abs(c.change.Hi)) / math.Abs(before.Value)
	}
	return it
}

// segmentHash is the URL fragment of a KPI page showing one segment (the
// segmentation's others switched off) over the last 30 days, at the step
// compared.
func segmentHash(segmentation, segment string, order []string, step int) string {
	parts := []string{"range=30"}
	if segmentation != "Total" {
		parts = append(parts, "seg="+uriComponent(name(segmentation)))
		var off []string
		for _, o := range order {
			if o != segment {
				off = append(off, uriComponent(name(o)))
			}
		}
		if len(off) > 0 {
			parts = append(parts, "off="+strings.Join(off, ","))
		}
	}
	if step > 0 {
		parts = append(parts, "step="+strconv.Itoa(step))
	}
	return "#" + strings.Join(parts, "&")
}

// uriComponent escapes s as JavaScript's encodeURIComponent does, which
// report.js undoes (decodeURIComponent) when it reads the fragment.
func uriComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("-_.!~*'()", c) >= 0 {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

package reports

import (
	"html/template"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/stats"
)

// indexPage is the overview: one tile per KPI.
type indexPage struct {
	layout
	Check      checkSummary
	Changes    whatChanged
	Tiles      []tile
	Health     healthSummary
	Missing    []string
	Milestones []milestoneView
}

type tile struct {
	Href, Title, Question string
	headline
	SparkView sparkView
}

type healthSummary struct {
	Days                                 int
	Fetched, Loaded, Server, Dup, Reject string
	Conflicts                            string // "" when there are none
	RejectShare                          string
	Gaps                                 int64 // days never loaded between loaded ones
}

func (s *site) indexPage() indexPage {
	p := indexPage{layout: s.layout("Persona sign-in KPIs", "How the Persona sign-in dialog is doing: one question per KPI, with its latest value.", "index", ""), Missing: s.ds.missing, Milestones: s.miles}
	p.Changes = s.whatChanged(len(s.ds.days) - 1)
	p.Check = s.checkSummary(s.censusCheck())
	for _, d := range s.latest {
		h := s.headline(d)
		t := tile{Href: s.href(d.ID, 0), Title: d.Title, Question: d.Question, headline: h}
		t.SparkView = newSpark(h.Spark, "Last "+strconv.Itoa(len(h.Spark))+" days of "+d.Title)
		p.Tiles = append(p.Tiles, t)
	}
	// The last 7 loaded days, for a one-line health summary.
	ld := s.ds.loadedDays
	if len(ld) > 7 {
		ld = ld[len(ld)-7:]
	}
	var c persona.Counts
	for _, d := range ld {
		c = c.Add(d.Counts())
	}
	p.Health = healthSummary{Days: len(ld), Fetched: formatCount(c.Fetched), Loaded: formatCount(c.Loaded), Server: formatCount(c.ServerEvents),
		Dup: formatCount(c.Duplicates), Reject: formatCount(c.Rejected), Gaps: s.missingDays()}
	if c.Conflicts > 0 {
		p.Health.Conflicts = formatCount(c.Conflicts)
	}
	p.Health.RejectShare = share(c.Rejected, c.Fetched)
	return p
}

// kpiPage is one version of one KPI.
type kpiPage struct {
	layout
	Def        kpiDef
	IsLatest   bool
	LatestHref string
	Versions   []versionLink
	UnitName   string
	// EstimateText says how the values relate to all sessions.
	EstimateText string
	HasData      bool
	Headline     headline

	Chart      []lineChartView // one per chart size
	Legend     []legendItem
	RangeText  string
	Milestones []milestoneItem
	Funnel     *funnelSection
	Flow       *flowSection
	Table      tableView

	Segmentations []string
	Steps         []string
	Stepped       bool // one line per step (funnels, quantiles) in the Total view
	Granular      bool // can be shown per week or month: not quantiles
	CSV           string
	Data          pageJSON
	DataJS        template.JS // Data as JSON, as json.Marshal writes it
}

type versionLink struct {
	Version         int
	Href            string
	Current, Latest bool
}

// legendItem is a line's entry in a legend. Note says where it hides
// behind another line.
type legendItem struct{ Name, Color, Dash, Note string }

type funnelSection struct {
	Chart  []funnelView
	Rows   []funnelRow
	Asides []asideRow
}

// asideRow is a funnel's row that is not one of its steps, summed over
// the days shown.
type asideRow struct{ Name, Count, Interval string }

// flowSection is the original dashboard's "flow over time": each step of
// a funnel as a share of its first step, per day.
type flowSection struct {
	Chart  []lineChartView
	Legend []legendItem
}

type funnelRow struct {
	Stage, Count, Make, Next, All string
}

type tableView struct {
	Caption string
	Head    []string
	Rows    [][]cell
}

// cell is a table cell: its text, and a second line under it (an
// interval), if any.
type cell struct{ Text, Sub string }

// pageJSON is the data behind a KPI page's chart, for report.js. It is
// written by html/template inside <script type="application/json">, which
// escapes it for that context.
type pageJSON struct {
	KPI           string          `json:"kpi"`
	Version       int             `json:"version"`
	Title         string          `json:"title"`
	Unit          string          `json:"unit"`
	Kind          string          `json:"kind"`
	YLabel        string          `json:"ylabel"`
	Days          []string        `json:"days"`
	Covered       []bool          `json:"covered"`
	Steps         []string        `json:"steps"`
	StepColors    []string        `json:"stepColors"`
	StepDashes    []string        `json:"stepDashes"`
	Ratio         bool            `json:"ratio"`
	Granular      bool            `json:"granular"`
	Bands         bool            `json:"bands"`       // some series has an interval to draw around it
	Estimate      string          `json:"estimate"`    // the estimate's method: sample, census, total, rate, mean, quantiles
	FunnelSteps   int             `json:"funnelSteps"` // a funnel's steps proper: the first of steps; the others are asides
	Segmentations []segJSON       `json:"segmentations"`
	Milestones    []milestoneJSON `json:"milestones"`
	DefaultDays   int             `json:"defaultDays"`
	DefaultStep   int             `json:"defaultStep"`
	File          string          `json:"file"`
}

type segJSON struct {
	Name     string        `json:"name"`
	Segments []segmentJSON `json:"segments"`
}

// segmentJSON holds one segment's values per step and day.
type segmentJSON struct {
	Name  string    `json:"name"`
	Color string    `json:"color"`
	V     []numbers `json:"v,omitempty"` // left out with S: report.js estimates each day from its sums
	N     []numbers `json:"n,omitempty"`
	D     []numbers `json:"d,omitempty"`
	// Lo and Hi are a quantile's 95% interval per step and day; S the
	// additive sums of a total, rate or mean, from which report.js
	// estimates any period (stats.js).
	Lo []numbers  `json:"lo,omitempty"`
	Hi []numbers  `json:"hi,omitempty"`
	S  []sumsJSON `json:"s,omitempty"`
	// Base holds N, Den and W2 where every step sums the same blobs (a
	// funnel's steps proper: steps[:funnelSteps]); Binary says every y
	// is 0 or 1 (W2Y2 = W2Y and WY2 = Num).
	Base   *sumsJSON `json:"base,omitempty"`
	Binary bool      `json:"binary,omitempty"`
}

// sumsJSON is one step's stats.Sums per day, null where the day has no
// row, with the fields its method reads (see sumsFields).
type sumsJSON struct {
	N    numbers `json:"N,omitempty"`
	Y    numbers `json:"Y,omitempty"`
	Num  numbers `json:"Num,omitempty"`
	Den  numbers `json:"Den,omitempty"`
	W2   numbers `json:"W2,omitempty"`
	W2Y  numbers `json:"W2Y,omitempty"`
	W2Y2 numbers `json:"W2Y2,omitempty"`
	WY2  numbers `json:"WY2,omitempty"`
}

// numbers marshals NaN as null.
type numbers []float64

// MarshalJSON writes the numbers as a JSON array, null for NaN.
func (ns numbers) MarshalJSON() ([]byte, error) {
	return ns.appendJSON(make([]byte, 0, len(ns)*6+2)), nil
}

func (s *site) kpiPage(d kpiDef) kpiPage {
	p := kpiPage{
		layout:       s.layout(d.Title+" · Persona sign-in KPIs", d.Question, "kpi", d.ID),
		Def:          d,
		IsLatest:     s.isLatest(d),
		LatestHref:   s.href(d.ID, 0),
		Versions:     s.versionLinks(d),
		UnitName:     unitName(d),
		EstimateText: estimateText(d),
		Headline:     s.headline(d),
		CSV:          s.csvName(d),
	}
	p.Granular = d.Kind != "quantiles"
	r := s.results(d)
	p.HasData = r != nil && r.last >= 0 && len(s.ds.days) > 0
	p.Segmentations = s.segmentations(r)
	if !p.HasData {
		p.Chart = lineCharts(lineInput{unit: d.Unit, yLabel: yLabel(d), aria: d.Title + ": no results"})
		p.Data = s.emptyPageData(d)
		p.DataJS = p.Data.js()
		return p
	}
	p.Steps, p.Stepped = names(r.steps), stepped(r)
	p.Data = s.pageData(d, r, p.Segmentations)
	// The server-drawn view: Total over the default range.
	shown := max(r.first, s.ds.since(len(s.ds.days)-1, DefaultDays))
	p.RangeText = rangeText(s.ds.days[shown:], shown > r.first)
	miles := s.milestonesOf(d.ID, s.ds.days[r.first:])
	p.Milestones = milestoneItems(miles, s.ds.days[shown:])
	p.Chart, p.Legend = s.totalChart(d, r, shown, p.Data, p.RangeText, miles)
	if d.Kind == "funnel" {
		p.Funnel = s.funnel(d, r, shown, p.RangeText)
		p.Flow = s.flow(d, r, shown, p.Data, p.RangeText, miles)
	}
	p.Table = s.dailyTable(d, r)
	p.DataJS = p.Data.js()
	return p
}

// versionLinks lists every version of d's KPI, newest first.
func (s *site) versionLinks(d kpiDef) []versionLink {
	vs := s.byID[d.ID]
	var out []versionLink
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		out = append(out, versionLink{Version: v.Version, Href: s.href(v.ID, v.Version),
			Current: v.Version == d.Version, Latest: i == len(vs)-1})
	}
	return out
}

// emptyPageData is the chart data of a version without results: empty
// lists, never null, for report.js.
func (s *site) emptyPageData(d kpiDef) pageJSON {
	return pageJSON{KPI: d.ID, Version: d.Version, Title: d.Title, Unit: d.Unit, Kind: d.Kind,
		Days: []string{}, Covered: []bool{}, Steps: []string{}, StepColors: []string{}, StepDashes: []string{},
		Segmentations: []segJSON{}, Milestones: []milestoneJSON{}, DefaultDays: DefaultDays, File: s.slugs[d.ID]}
}

// pageData is what report.js draws from: every segmentation and segment,
// from the version's first day with a result.
func (s *site) pageData(d kpiDef, r *kpiResults, segmentations []string) pageJSON {
	data := pageJSON{KPI: d.ID, Version: d.Version, Title: d.Title, Unit: d.Unit, Kind: d.Kind, Estimate: d.method(),
		Bands: s.bands(d, r), FunnelSteps: len(funnelSteps(r)),
		YLabel: yLabel(d), Steps: names(r.steps), StepColors: stepColors(d, r), StepDashes: stepDashes(d, r), Ratio: r.hasRatio,
		Granular: d.Kind != "quantiles", Milestones: milestonesJSON(s.milestonesOf(d.ID, s.ds.days[r.first:])), DefaultDays: DefaultDays,
		File: s.slugs[d.ID] + ".v" + strconv.Itoa(d.Version)}
	// Segmented funnels open on the share completing all steps (-1),
	// quantiles on the median.
	if d.Kind == "funnel" {
		data.DefaultStep = -1
	} else {
		data.DefaultStep = max(0, slices.Index(r.steps, mainStep(d, r)))
	}
	for i, day := range s.ds.days[r.first:] {
		data.Days = append(data.Days, day.Format(time.DateOnly))
		data.Covered = append(data.Covered, s.ds.covered[r.first+i])
	}
	for _, seg := range segmentations {
		data.Segmentations = append(data.Segmentations, s.segmentationData(d, r, seg))
	}
	return data
}

// segmentationData holds one segmentation's segments in display order,
// each with its values per step and day from the version's first day,
// and its numerators and denominators when the version has them.
func (s *site) segmentationData(d kpiDef, r *kpiResults, segmentation string) segJSON {
	sj := segJSON{Name: name(segmentation)}
	bySeg := r.cells[segmentation]
	for i, segment := range s.segmentOrder(segmentation, bySeg) {
		m := segmentJSON{Name: name(segment), Color: colorClass(i, segment)}
		for _, step := range r.steps {
			ser := bySeg[segment][step]
			// With sums, the values, numerators and denominators are theirs.
			withSums := d.additive() && r.hasSums
			if !withSums {
				m.V = append(m.V, s.values(d, ser, r.first))
			}
			if r.hasRatio && !withSums {
				n, dd := s.ratioParts(ser, r.first)
				m.N, m.D = append(m.N, n), append(m.D, dd)
			}
			if d.method() == "quantiles" && s.bands(d, r) {
				lo, hi := s.ratioParts(nil, r.first)
				if ser != nil {
					lo, hi = ser.lo[r.first:], ser.hi[r.first:]
				}
				m.Lo, m.Hi = append(m.Lo, lo), append(m.Hi, hi)
			}
		}
		if d.additive() && r.hasSums {
			s.segmentSums(&m, d, bySeg[segment], r.steps, r.first)
		}
		sj.Segments = append(sj.Segments, m)
	}
	return sj
}

// The sums a page carries are as few as its estimates need: the fields
// its method reads (a funnel's totals are also rates of the blobs that
// entered it, and a total's share of Total reads W2Y); N, Den and W2 once
// per segment where every step sums the same blobs (a funnel's steps, a
// distribution's categories); and for values that are all 0 or 1, no
// W2Y2 or WY2, which then equal W2Y and Num.
func sumsFields(d kpiDef) []string {
	switch {
	case d.Kind == "funnel" || d.Kind == "shares":
		return []string{"N", "Y", "Num", "Den", "W2", "W2Y", "W2Y2", "WY2"}
	case d.method() == "total":
		return []string{"Y", "Num", "W2Y", "W2Y2", "WY2"}
	case d.method() == "rate":
		return []string{"N", "Y", "Num", "Den", "W2", "W2Y", "W2Y2"}
	}
	return []string{"N", "Num", "Den", "W2", "W2Y", "W2Y2"}
}

// segmentSums fills in a segment's sums, one entry per step. A funnel's
// asides sum their own blobs, so only its steps proper may share.
func (s *site) segmentSums(m *segmentJSON, d kpiDef, byStep map[string]*series, steps []string, from int) {
	sers := make([]*series, len(steps))
	for i, st := range steps {
		sers[i] = byStep[st]
	}
	sharing := len(steps)
	if d.Kind == "funnel" {
		sharing = len(funnelSteps(&kpiResults{steps: steps}))
	}
	shared, binary := sharedBlobs(sers[:sharing], from), zeroOrOne(sers, from)
	m.Binary = binary
	for i, ser := range sers {
		var fields []string
		for _, f := range sumsFields(d) {
			if shared && i < sharing && (f == "N" || f == "Den" || f == "W2") || binary && (f == "W2Y2" || f == "WY2") {
				continue
			}
			fields = append(fields, f)
		}
		m.S = append(m.S, s.sumsData(ser, from, fields))
	}
	if shared {
		base := s.sumsData(sers[0], from, []string{"N", "Den", "W2"})
		m.Base = &base
	}
}

// sharedBlobs reports whether every step of a segment sums the same
// blobs on each day: the same N, Den and W2.
func sharedBlobs(sers []*series, from int) bool {
	if len(sers) < 2 || sers[0] == nil || sers[0].sums == nil {
		return false
	}
	for _, ser := range sers[1:] {
		if ser == nil || ser.sums == nil {
			return false
		}
		for i := from; i < len(ser.sums); i++ {
			a, b := sers[0].sums[i], ser.sums[i]
			if a.N != b.N || !same(a.Den, b.Den) || !same(a.W2, b.W2) {
				return false
			}
		}
	}
	return true
}

// zeroOrOne reports whether the values y of a segment's blobs are all 0
// or 1, which makes Σ w²·y² = Σ w²·y and Σ w·y² = Σ w·y.
func zeroOrOne(sers []*series, from int) bool {
	for _, ser := range sers {
		if ser == nil || ser.sums == nil {
			continue
		}
		for _, x := range ser.sums[from:] {
			if !same(x.W2Y2, x.W2Y) || !same(x.WY2, x.Num) {
				return false
			}
		}
	}
	return true
}

// same reports equality up to the rounding of sums added in another order.
func same(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(math.Abs(a), math.Abs(b)) }

// sumsData is some fields of a series' sums per day of days[from:], NaN
// (null) where the day has no row.
func (s *site) sumsData(ser *series, from int, fields []string) sumsJSON {
	var out sumsJSON
	n := len(s.ds.days) - from
	cols := map[string]*numbers{"N": &out.N, "Y": &out.Y, "Num": &out.Num, "Den": &out.Den,
		"W2": &out.W2, "W2Y": &out.W2Y, "W2Y2": &out.W2Y2, "WY2": &out.WY2}
	for _, f := range fields {
		col := make(numbers, n)
		for j := range col {
			col[j] = math.NaN()
			if ser != nil && ser.sums != nil && ser.sums[from+j].N > 0 {
				col[j] = sumsField(ser.sums[from+j], f)
			}
		}
		*cols[f] = col
	}
	return out
}

func sumsField(s stats.Sums, f string) float64 {
	switch f {
	case "N":
		return s.N
	case "Y":
		return s.Y
	case "Num":
		return s.Num
	case "Den":
		return s.Den
	case "W2":
		return s.W2
	case "W2Y":
		return s.W2Y
	case "W2Y2":
		return s.W2Y2
	}
	return s.WY2
}

// ratioParts is a series' numerators and denominators over days[from:],
// NaN where there is no series.
func (s *site) ratioParts(ser *series, from int) (n, d numbers) {
	n, d = make(numbers, len(s.ds.days)-from), make(numbers, len(s.ds.days)-from)
	for j := range n {
		n[j], d[j] = math.NaN(), math.NaN()
		if ser != nil {
			n[j], d[j] = ser.n[from+j], ser.d[from+j]
		}
	}
	return n, d
}

// totalChart draws Total over days[from:]: a line per step of a stepped
// version, else one line; and the legend of those lines.
func (s *site) totalChart(d kpiDef, r *kpiResults, from int, data pageJSON, rangeText string, miles []milestoneView) ([]lineChartView, []legendItem) {
	var lines []lineSeries
	if stepped(r) {
		for i, step := range r.steps {
			ser := s.total(d, step)
			l := lineSeries{Name: name(step), Color: data.StepColors[i], Dash: data.StepDashes[i], Values: s.values(d, ser, from)}
			l.Lo, l.Hi = s.interval(d, r, ser, from)
			lines = append(lines, l)
		}
	} else {
		ser := s.total(d, firstStep(r))
		l := lineSeries{Name: "Total", Color: "c0", Values: s.values(d, ser, from)}
		l.Lo, l.Hi = s.interval(d, r, ser, from)
		lines = []lineSeries{l}
	}
	in := lineInput{days: s.ds.days[from:], lines: lines, unit: d.Unit, yLabel: yLabel(d), aria: d.Title + ", " + rangeText, milestones: miles}
	items := legend(lines)
	if d.Kind == "funnel" {
		for i := len(funnelSteps(r)); i < len(items); i++ {
			items[i].Note = strings.TrimPrefix(items[i].Note+"; counted apart from the funnel", "; ")
		}
	}
	return lineCharts(in), items
}

// legend lists lines with a note on each that coincides with another.
func legend(lines []lineSeries) []legendItem {
	notes := coincidences(lines)
	var out []legendItem
	for i, l := range lines {
		out = append(out, legendItem{Name: l.Name, Color: l.Color, Dash: l.Dash, Note: notes[i]})
	}
	return out
}

// coincidences notes, for each line, the earlier line it equals on more
// than half of the days both have a value, where one would hide the
// other. Mirrored in report.js.
func coincidences(lines []lineSeries) []string {
	notes := make([]string, len(lines))
	for j := range lines {
		best, bestSame, bestBoth := -1, 0, 0
		for i := 0; i < j; i++ {
			same, both := 0, 0
			for k, v := range lines[j].Values {
				if w := lines[i].Values[k]; !math.IsNaN(v) && !math.IsNaN(w) {
					both++
					if v == w {
						same++
					}
				}
			}
			if same*2 > both && same > bestSame {
				best, bestSame, bestBoth = i, same, both
			}
		}
		if best >= 0 {
			notes[j] = coincideNote(lines[best].Name, bestSame, bestBoth)
		}
	}
	return notes
}

func coincideNote(other string, same, both int) string {
	if same == both {
		return "same as “" + other + "” on every day shown"
	}
	return "same as “" + other + "” on " + strconv.Itoa(same) + " of " + strconv.Itoa(both) + " days"
}

// funnel is a funnel version's chart and the original dashboard's table,
// from each step's Total summed over days[from:]; a row that is not a
// step of the funnel (an aside) is listed apart, with its interval.
func (s *site) funnel(d kpiDef, r *kpiResults, from int, rangeText string) *funnelSection {
	steps := funnelSteps(r)
	counts := make([]float64, len(steps))
	last := len(s.ds.days) - 1
	for i, step := range steps {
		counts[i] = s.aggregate(d, s.total(d, step), from, last, false)
		if math.IsNaN(counts[i]) {
			counts[i] = 0
		}
	}
	f := &funnelSection{
		Chart: funnelCharts(names(steps), counts, d.Title+": sessions reaching each step, "+rangeText),
		Rows:  funnelRows(names(steps), counts),
	}
	for _, step := range asideSteps(r) {
		ser := s.total(d, step)
		a := asideRow{Name: name(step), Count: formatValue("count", s.aggregate(d, ser, from, last, false))}
		if d.additive() && ser != nil && ser.sums != nil {
			iv := stats.Total(ser.rangeSums(from, last))
			a.Count, a.Interval = formatValue("count", iv.Value), formatValue("count", iv.Lo)+" to "+formatValue("count", iv.Hi)
		}
		f.Asides = append(f.Asides, a)
	}
	return f
}

// flow draws each step after the first as a share of the first, per day
// of days[from:], from the Total counts.
func (s *site) flow(d kpiDef, r *kpiResults, from int, data pageJSON, rangeText string, miles []milestoneView) *flowSection {
	steps := funnelSteps(r)
	if len(steps) < 2 {
		return nil
	}
	first := s.values(d, s.total(d, steps[0]), from)
	var lines []lineSeries
	for i, step := range steps[1:] {
		v := s.values(d, s.total(d, step), from)
		for k := range v {
			if first[k] > 0 {
				v[k] /= first[k]
			} else {
				v[k] = math.NaN()
			}
		}
		lines = append(lines, lineSeries{Name: name(step), Color: data.StepColors[i+1], Dash: data.StepDashes[i+1], Values: v})
	}
	in := lineInput{days: s.ds.days[from:], lines: lines, unit: "rate", yLabel: "Share of step 1",
		aria: d.Title + ": each step as a share of “" + name(steps[0]) + "”, " + rangeText, milestones: miles}
	return &flowSection{Chart: lineCharts(in), Legend: legend(lines)}
}

// dailyTable is the table shown without script: Total, every day from
// the version's first, newest first; a column per step of a stepped
// version, else the value (with its numerator and denominator, if any).
// A value with an interval shows it under it.
func (s *site) dailyTable(d kpiDef, r *kpiResults) tableView {
	from := r.first
	days := s.ds.days[from:]
	t := tableView{Caption: "Daily values, Total, newest first", Head: []string{"Day"}}
	// An estimated total is its own weighted numerator, without a
	// denominator.
	ratio := !stepped(r) && r.hasRatio && d.method() != "total"
	switch {
	case stepped(r):
		t.Head = append(t.Head, names(r.steps)...)
	case ratio && d.additive():
		t.Head = append(t.Head, "Value", "Numerator (weighted)", "Denominator (weighted)")
	case ratio:
		t.Head = append(t.Head, "Value", "Numerator", "Denominator")
	default:
		t.Head = append(t.Head, "Value")
	}
	if s.bands(d, r) {
		t.Caption += "; under each value its 95% interval"
	}
	// A plain version's one step is "": its value column.
	steps := r.steps
	if !stepped(r) {
		steps = steps[:1]
	}
	type column struct{ v, lo, hi []float64 }
	cols := make([]column, len(steps))
	for i, step := range steps {
		ser := s.total(d, step)
		cols[i].v = s.values(d, ser, from)
		cols[i].lo, cols[i].hi = s.interval(d, r, ser, from)
	}
	tot := s.total(d, firstStep(r))
	for j := len(days) - 1; j >= 0; j-- {
		row := []cell{{Text: days[j].Format(time.DateOnly)}}
		for _, col := range cols {
			c := cell{Text: formatValue(d.Unit, col.v[j])}
			if col.lo != nil && !math.IsNaN(col.lo[j]) && !math.IsNaN(col.hi[j]) {
				c.Sub = formatValue(d.Unit, col.lo[j]) + " to " + formatValue(d.Unit, col.hi[j])
			}
			row = append(row, c)
		}
		if ratio {
			n, dd := math.NaN(), math.NaN()
			if tot != nil {
				n, dd = tot.n[from+j], tot.d[from+j]
			}
			row = append(row, cell{Text: formatNumber(n)}, cell{Text: formatNumber(dd)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// bands reports whether a version's values have intervals to draw: an
// estimate from the sample (a census is exact: no band).
func (s *site) bands(d kpiDef, r *kpiResults) bool { return d.estimates() && r != nil && r.hasBand }

// interval is a series' 95% interval per day of days[from:], nil when
// the version draws no bands.
func (s *site) interval(d kpiDef, r *kpiResults, ser *series, from int) (lo, hi []float64) {
	if !s.bands(d, r) || ser == nil {
		return nil, nil
	}
	return ser.lo[from:], ser.hi[from:]
}

// stepColors gives each step its colour class: funnel steps in turn;
// quantiles as one family, the median strong and the others light, so the
// band around the median reads at a glance.
func stepColors(d kpiDef, r *kpiResults) []string {
	main := mainStep(d, r)
	out := make([]string, len(r.steps))
	for i, step := range r.steps {
		switch {
		case d.Kind != "quantiles":
			out[i] = colorClass(i, step)
		case step == main:
			out[i] = "c0"
		default:
			out[i] = "cq"
		}
	}
	return out
}

// stepDashes gives each funnel step a dash pattern, so a step whose line
// lies on another's still shows; other kinds draw solid lines (quantiles
// have their own family style).
func stepDashes(d kpiDef, r *kpiResults) []string {
	out := make([]string, len(r.steps))
	for i := range r.steps {
		if d.Kind == "funnel" {
			out[i] = "d" + strconv.Itoa(i%4)
		}
	}
	return out
}

// stepped reports whether a KPI version has named steps (funnel steps or
// quantiles) rather than one plain value.
func stepped(r *kpiResults) bool {
	return len(r.steps) > 1 || (len(r.steps) == 1 && r.steps[0] != "")
}

// formatNumber writes a numerator or denominator: an integer if it is one.
func formatNumber(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	if v == math.Trunc(v) {
		return formatValue("count", v)
	}
	return groupThousands(strconv.FormatFloat(v, 'f', 2, 64))
}

// rangeText says which days a view shows: the calendar days from its
// first to its last, and how many of them the axis leaves out (runs
// without data longer than maxShownGap). Mirrored in report.js.
func rangeText(days []time.Time, partial bool) string {
	if len(days) == 0 {
		return "no days"
	}
	n := daysBetween(days[0], days[len(days)-1]) + 1
	text := "all " + dayCount(n) + ", "
	if partial {
		text = "last " + dayCount(n) + ", "
	}
	text += days[0].Format(time.DateOnly) + " to " + days[len(days)-1].Format(time.DateOnly)
	if left := n - len(days); left > 0 {
		text += " (" + dayCount(left) + " without data left out)"
	}
	return text
}

// dayCount writes "1 day" or "5,416 days". Mirrored in report.js.
func dayCount(n int) string {
	if n == 1 {
		return "1 day"
	}
	return groupThousands(strconv.Itoa(n)) + " days"
}

// funnelRows is the original dashboard's funnel table: per stage its
// count, the share of the first stage reaching it, the share going on to
// the next stage, and the share of it reaching the last stage.
func funnelRows(steps []string, counts []float64) []funnelRow {
	pct := func(a, b float64) string {
		if b == 0 {
			return "–"
		}
		return strconv.FormatFloat(a/b*100, 'f', 1, 64) + "%"
	}
	var rows []funnelRow
	n := len(counts)
	for i, step := range steps {
		row := funnelRow{Stage: step, Count: formatValue("count", counts[i]), Make: pct(counts[i], counts[0]), All: pct(counts[n-1], counts[i])}
		if i < n-1 {
			row.Next = pct(counts[i+1], counts[i])
		} else {
			row.Next = "–"
		}
		rows = append(rows, row)
	}
	return rows
}

// healthPage is the data-health page.
type healthPage struct {
	layout
	Run          *runInfo
	Runs         []runInfo
	Chart        []healthChartView
	Reasons      []string
	Days         []healthRow
	Gaps         []string
	Others       []otherGroup
	Events       []eventRow
	OtherWindow  int
	ValueMax     int // the longest value shown, in characters
	Missing      []string
	Totals       healthRow
	ConflictDays int // loaded days with conflicting re-deliveries
	Census       censusSection
	Rates        rateSection
	Check        checkSummary
}

// checkSummary is the census check over the recent days: the days whose
// census falls outside the dialog's interval.
type checkSummary struct {
	Available bool
	Why       string
	Outside   []checkRow
	Days      int // recent days checked
	Window    int
}

// checkSummary sums the census check up over the last otherWindowDays.
func (s *site) checkSummary(c censusCheck) checkSummary {
	out := checkSummary{Available: c.Available(), Why: c.Why, Window: otherWindowDays}
	if !out.Available {
		return out
	}
	since := c.Rows[0].day.AddDate(0, 0, -otherWindowDays)
	out.Outside = c.recentOutside(since)
	for _, r := range c.Rows {
		if r.day.After(since) {
			out.Days++
		}
	}
	return out
}

// censusSection is the server's census entries per day and type over the
// recent loaded days.
type censusSection struct {
	Types   []string    // the known types the days have, in persona's order
	Other   bool        // some entries have a type outside them
	Rows    []censusRow // every recent loaded day, newest first
	Unknown []eventRow  // the most frequent unknown types
	Any     bool        // the days have any census entry
}

type censusRow struct {
	Day, Total string
	Cells      []string // per type of Types
	Other      string
	None       bool // no census entry that day
}

// healthRow is a day's accounting (or the total's): fetched = loaded +
// census entries + duplicates + rejected; conflicts are among the
// duplicates.
type healthRow struct {
	Day                                          string
	Fetched, Loaded, Server, Duplicates, Rejects string
	Conflicts                                    string
	HasConflicts                                 bool
	ByReason                                     []string
	Unbalanced                                   bool
}

// newHealthRow writes counts for the per-day table.
func newHealthRow(day string, c persona.Counts) healthRow {
	return healthRow{Day: day, Fetched: formatCount(c.Fetched), Loaded: formatCount(c.Loaded), Server: formatCount(c.ServerEvents),
		Duplicates: formatCount(c.Duplicates), Rejects: formatCount(c.Rejected), Conflicts: formatCount(c.Conflicts),
		HasConflicts: c.Conflicts > 0, Unbalanced: c.Check() != nil}
}

type otherGroup struct {
	Segmentation string
	Total, Share string
	Values       []otherRow
}

type otherRow struct {
	Raw     string
	Missing bool
	N       string
	Share   string
}

type eventRow struct {
	Name        string
	N, Sessions string
}

// gaps lists the runs of days between the first and last loaded day that
// were never loaded: "2024-05-18", or "2012-01-03 to 2026-10-31 (5,416
// days)" for a longer run, one entry per run however long.
func (s *site) gaps() []string {
	var out []string
	for _, g := range s.ds.gaps {
		if g.Days() == 1 {
			out = append(out, g.First.Format(time.DateOnly))
			continue
		}
		out = append(out, g.First.Format(time.DateOnly)+" to "+g.Last.Format(time.DateOnly)+" ("+formatCount(int64(g.Days()))+" days)")
	}
	return out
}

// missingDays is how many days between the first and last loaded day were
// never loaded.
func (s *site) missingDays() int64 {
	var n int64
	for _, g := range s.ds.gaps {
		n += int64(g.Days())
	}
	return n
}

func (s *site) healthPage() healthPage {
	p := healthPage{layout: s.layout("Data health · Persona sign-in KPIs", "What went into the Persona sign-in KPIs: blobs loaded and rejected per day, and values no segment placed.", "health", ""),
		Run: s.ds.run, Runs: s.ds.runs, Reasons: names(s.ds.reasons), Gaps: s.gaps(),
		OtherWindow: otherWindowDays, ValueMax: valueMax, Missing: s.ds.missing}
	p.Chart = healthCharts(s.ds.loadedDays)
	var total persona.Counts
	reasonTotals := make([]int64, len(s.ds.reasons))
	for i := len(s.ds.loadedDays) - 1; i >= 0; i-- {
		d := s.ds.loadedDays[i]
		row := newHealthRow(d.Day.Format(time.DateOnly), d.Counts())
		for j, reason := range s.ds.reasons {
			n := s.ds.rejects[d.Day][reason]
			reasonTotals[j] += n
			row.ByReason = append(row.ByReason, formatCount(n))
		}
		total = total.Add(d.Counts())
		if d.Conflicts > 0 {
			p.ConflictDays++
		}
		p.Days = append(p.Days, row)
	}
	p.Totals = newHealthRow("Total", total)
	for _, n := range reasonTotals {
		p.Totals.ByReason = append(p.Totals.ByReason, formatCount(n))
	}
	groups := map[string]*otherGroup{}
	for _, o := range s.ds.others {
		g := groups[o.Segmentation]
		if g == nil {
			g = &otherGroup{Segmentation: o.Segmentation, Total: formatCount(o.Total)}
			g.Share = share(o.Total, s.ds.recent)
			groups[o.Segmentation] = g
		}
		row := otherRow{N: formatCount(o.N), Missing: !o.Raw.Valid}
		if o.Raw.Valid {
			row.Raw = shown(o.Raw.String)
		}
		row.Share = share(o.N, o.Total)
		g.Values = append(g.Values, row)
	}
	names := slices.Clone(persona.SegmentationNames)
	for name := range groups {
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	for _, name := range names {
		if g := groups[name]; g != nil {
			p.Others = append(p.Others, *g)
		}
	}
	for _, e := range s.ds.unknownEvt {
		p.Events = append(p.Events, eventRow{Name: shown(e.Name), N: formatCount(e.N), Sessions: formatCount(e.Sessions)})
	}
	p.Census = s.censusSection()
	p.Rates = s.rateSection()
	p.Check = s.checkSummary(s.censusCheck())
	return p
}

// shortSQL trims the blank lines around a definition's SQL.
func shortSQL(s string) string { return strings.Trim(s, "\n") }

package reports

import (
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
	HasData    bool
	Headline   headline

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
	Rows    [][]string
}

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
	Bands         bool            `json:"bands"` // some series has an interval to draw around it
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
	V     []numbers `json:"v"`
	N     []numbers `json:"n,omitempty"`
	D     []numbers `json:"d,omitempty"`
}

// numbers marshals NaN as null.
type numbers []float64

// MarshalJSON writes the numbers as a JSON array, null for NaN.
func (ns numbers) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, len(ns)*6+2)
	b = append(b, '[')
	for i, v := range ns {
		if i > 0 {
			b = append(b, ',')
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			b = append(b, "null"...)
		} else {
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return append(b, ']'), nil
}

func (s *site) kpiPage(d kpiDef) kpiPage {
	p := kpiPage{
		layout:     s.layout(d.Title+" · Persona sign-in KPIs", d.Question, "kpi", d.ID),
		Def:        d,
		IsLatest:   s.isLatest(d),
		LatestHref: s.href(d.ID, 0),
		Versions:   s.versionLinks(d),
		UnitName:   unitName(d),
		Headline:   s.headline(d),
		CSV:        s.csvName(d),
	}
	p.Granular = d.Kind != "quantiles"
	r := s.results(d)
	p.HasData = r != nil && r.last >= 0 && len(s.ds.days) > 0
	p.Segmentations = s.segmentations(r)
	if !p.HasData {
		p.Chart = lineCharts(lineInput{unit: d.Unit, yLabel: yLabel(d), aria: d.Title + ": no results"})
		p.Data = s.emptyPageData(d)
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
	data := pageJSON{KPI: d.ID, Version: d.Version, Title: d.Title, Unit: d.Unit, Kind: d.Kind,
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
			m.V = append(m.V, s.values(d, ser, r.first))
			if r.hasRatio {
				n, dd := s.ratioParts(ser, r.first)
				m.N, m.D = append(m.N, n), append(m.D, dd)
			}
		}
		sj.Segments = append(sj.Segments, m)
	}
	return sj
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
			lines = append(lines, lineSeries{Name: name(step), Color: data.StepColors[i], Dash: data.StepDashes[i], Values: s.values(d, s.total(d, step), from)})
		}
	} else {
		lines = []lineSeries{{Name: "Total", Color: "c0", Values: s.values(d, s.total(d, firstStep(r)), from)}}
	}
	in := lineInput{days: s.ds.days[from:], lines: lines, unit: d.Unit, yLabel: yLabel(d), aria: d.Title + ", " + rangeText, milestones: miles}
	return lineCharts(in), legend(lines)
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
func (s *site) dailyTable(d kpiDef, r *kpiResults) tableView {
	from := r.first
	days := s.ds.days[from:]
	t := tableView{Caption: "Daily values, Total, newest first", Head: []string{"Day"}}
	switch {
	case stepped(r):
		t.Head = append(t.Head, names(r.steps)...)
	case r.hasRatio:
		t.Head = append(t.Head, "Value", "Numerator", "Denominator")
	default:
		t.Head = append(t.Head, "Value")
	}
	// A plain version's one step is "": its value column.
	steps := r.steps
	if !stepped(r) {
		steps = steps[:1]
	}
	cols := make([][]float64, len(steps))
	for i, step := range steps {
		cols[i] = s.values(d, s.total(d, step), from)
	}
	ratio := !stepped(r) && r.hasRatio
	tot := s.total(d, firstStep(r))
	for j := len(days) - 1; j >= 0; j-- {
		row := []string{days[j].Format(time.DateOnly)}
		for _, col := range cols {
			row = append(row, formatValue(d.Unit, col[j]))
		}
		if ratio {
			n, dd := math.NaN(), math.NaN()
			if tot != nil {
				n, dd = tot.n[from+j], tot.d[from+j]
			}
			row = append(row, formatNumber(n), formatNumber(dd))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
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
	return p
}

// shortSQL trims the blank lines around a definition's SQL.
func shortSQL(s string) string { return strings.Trim(s, "\n") }

package reports

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// The charts are drawn as SVG by the server, so every page shows its
// numbers without JavaScript; report.js redraws the same chart when the
// reader changes a choice, with the same geometry and CSS classes. The
// structs below are what the SVG templates in templates/charts.html draw.

// chartSize is one width the server draws a chart at. report.css shows
// the one that suits the screen (the medium one in print), so text keeps
// about its size without script; report.js redraws a KPI page's charts for
// the exact width they get.
type chartSize struct {
	Name string
	W    float64
}

var chartSizes = []chartSize{{"wide", 960}, {"medium", 640}, {"narrow", 360}}

type tick struct {
	Pos   float64 // x or y
	Label string
	Sub   string // second line of an x tick (the year)
}

type chartLine struct {
	Color string // CSS class: c0..c10, cq or cother
	Dash  string // CSS class d0..d3 telling steps apart where they overlap
	Name  string
	D     string
	Dots  []point
	Band  string // the 95% interval around the line, as a filled path
}

type point struct{ X, Y float64 }

// marker is a milestone on a line chart: a numbered badge over a line, or
// over a shaded band from X to X2 for a range of days.
type marker struct {
	X, X2, BadgeY float64
	N             int
	Title         string
}

// Span reports whether the marker covers more than one day.
func (m marker) Span() bool { return m.X2 > m.X }

// lineChartView is a time-series chart ready to draw.
type lineChartView struct {
	W, H                   float64
	Size                   string
	Left, Right, Top, Bot  float64
	YTicks, XTicks         []tick
	YLabel, XLabel, Aria   string
	Lines                  []chartLine
	Markers                []marker
	Cuts                   []cutMark
	Empty                  bool
	MidX, MidY, LabelYPosX float64
}

// Bands reports whether any line has an interval drawn around it.
func (c lineChartView) Bands() bool {
	for _, l := range c.Lines {
		if l.Band != "" {
			return true
		}
	}
	return false
}

// cutMark is where the day axis leaves out a run of days without data
// (see maxShownGap): a dashed line between the days around it.
type cutMark struct {
	X     float64
	Title string
}

// cutTitle says which days a cut before day i leaves out.
func cutTitle(days []time.Time, i int) string {
	from, to := days[i-1].AddDate(0, 0, 1), days[i].AddDate(0, 0, -1)
	return "No data from " + from.Format(time.DateOnly) + " to " + to.Format(time.DateOnly) +
		" (" + dayCount(daysBetween(from, to)+1) + ", left out)"
}

// lineSeries is one line to draw: a value per day of days, and where
// known its 95% interval (Lo and Hi, nil or NaN where none), drawn as a
// band around it.
type lineSeries struct {
	Name, Color, Dash string
	Values            []float64
	Lo, Hi            []float64
}

// lineInput is what a line chart shows, whatever its width.
type lineInput struct {
	days         []time.Time
	lines        []lineSeries
	unit, yLabel string
	aria         string
	milestones   []milestoneView // numbered in this order
}

// niceTicks returns tick values from 0 to at least hi, about n of them,
// stepping by 1, 2, 2.5 or 5 times a power of ten. Mirrored in report.js.
func niceTicks(hi float64, n int) (ticks []float64, step float64) {
	if !(hi > 0) {
		hi = 1
	}
	raw := hi / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 2.5, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	for v := 0.0; ; v += step {
		ticks = append(ticks, v)
		if v >= hi-step*1e-9 {
			break
		}
	}
	return ticks, step
}

// msScale picks the unit a duration axis is labelled in, so its ticks
// read 2, 4, 6 minutes rather than 120,000 ms. Mirrored in report.js.
func msScale(hi float64) (div float64, label string) {
	switch {
	case hi >= 2*3600e3:
		return 3600e3, "Hours"
	case hi >= 120e3:
		return 60e3, "Minutes"
	case hi >= 10e3:
		return 1e3, "Seconds"
	}
	return 1, "Milliseconds"
}

// dayStep picks the spacing of x labels: the smallest of 1, 2, 7, 14, 28
// days... that keeps labels minPx apart. Mirrored in report.js.
func dayStep(n int, width, minPx float64) int {
	if n <= 1 {
		return 1
	}
	per := width / float64(n-1)
	for _, s := range []int{1, 2, 7, 14, 28, 56, 91, 182, 364} {
		if float64(s)*per >= minPx {
			return s
		}
	}
	return 728
}

// textWidth estimates how wide s is at a font size, closely enough to keep
// labels off each other without measuring them. Mirrored in report.js.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			w += 0.64
		case strings.ContainsRune(",.:;' ()|!il", r):
			w += 0.34
		case strings.ContainsRune("%MWmw", r):
			w += 0.95
		case r >= 'A' && r <= 'Z':
			w += 0.72
		default:
			w += 0.6
		}
	}
	return w * size
}

// Line chart layout, in SVG user units; mirrored in report.js (layout).
const (
	axisTitleX  = 14 // the rotated y-axis title's baseline
	badgeR      = 8  // a milestone badge's radius
	badgeRowH   = 18
	badgeRows   = 3
	chartBottom = 64 // x labels, years and the x-axis title
)

// plotLeft is where the plot starts: right of the widest y tick label and
// the rotated axis title, which must not cover it.
func plotLeft(ticks []tick) float64 {
	w := 0.0
	for _, t := range ticks {
		w = max(w, textWidth(t.Label, 12))
	}
	return math.Ceil(w) + axisTitleX + 20
}

// chartHeight is a line chart's height for its width. Mirrored in report.js.
func chartHeight(w float64) float64 { return math.Round(min(420, max(260, w*0.42))) }

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// lineCharts draws in at every chart size.
func lineCharts(in lineInput) []lineChartView {
	var out []lineChartView
	for _, size := range chartSizes {
		out = append(out, newLineChart(in, size))
	}
	return out
}

// newLineChart lays out a line chart size.W wide.
func newLineChart(in lineInput, size chartSize) lineChartView {
	narrow := size.W < 560
	c := lineChartView{W: size.W, H: chartHeight(size.W), Size: size.Name, YLabel: in.yLabel, XLabel: "Day (UTC)", Aria: in.aria,
		LabelYPosX: axisTitleX}
	hi, hasAny := highest(in.lines)
	c.Empty = !hasAny || len(in.days) == 0
	// Durations are labelled in the unit that suits their size.
	div := 1.0
	if in.unit == "ms" {
		div, c.YLabel = msScale(hi)
	}
	nTicks := 5
	if narrow {
		nTicks = 4
	}
	ys, step := niceTicks(hi/div, nTicks)
	for _, v := range ys {
		c.YTicks = append(c.YTicks, tick{Label: formatTick(in.unit, v, step)})
	}
	c.Left, c.Right = plotLeft(c.YTicks), size.W-24
	if narrow {
		c.Right = size.W - 12
	}
	sc := lineScale{left: c.Left, right: c.Right, days: len(in.days), max: ys[len(ys)-1] * div}
	// The milestones' badge rows decide where the plot's top is.
	marks, rows := milestoneMarkers(in.milestones, in.days, sc)
	c.Top = 16
	if rows > 0 {
		c.Top = badgeR + 5 + badgeRowH*float64(rows)
	}
	c.Bot = c.H - chartBottom
	sc.top, sc.bot = c.Top, c.Bot
	for i, v := range ys {
		c.YTicks[i].Pos = sc.y(v * div)
	}
	c.Markers = marks
	c.MidX, c.MidY = (c.Left+c.Right)/2, (c.Top+c.Bot)/2
	minPx := 84.0
	if narrow {
		minPx = 64
	}
	c.XTicks = dayTicks(in.days, sc, minPx)
	dots := len(in.days) <= 62 && len(in.lines) <= 5
	cuts := make([]bool, len(in.days))
	for i := range in.days {
		if cuts[i] = cutBefore(in.days, i); cuts[i] {
			c.Cuts = append(c.Cuts, cutMark{X: r1((sc.x(i-1) + sc.x(i)) / 2), Title: cutTitle(in.days, i)})
		}
	}
	for _, l := range in.lines {
		c.Lines = append(c.Lines, drawLine(l, sc, dots, cuts))
	}
	return c
}

// highest is the largest value of lines and their bands (0 if none is
// above it), and whether they have any value at all.
func highest(lines []lineSeries) (hi float64, hasAny bool) {
	for _, l := range lines {
		for i, v := range l.Values {
			if !math.IsNaN(v) {
				hasAny = true
				hi = max(hi, v)
			}
			if l.Hi != nil && !math.IsNaN(l.Hi[i]) {
				hi = max(hi, l.Hi[i])
			}
		}
	}
	return hi, hasAny
}

// lineScale places day i of days and value v in a line chart's plot area,
// whose top edge stands for max.
type lineScale struct {
	left, right, top, bot float64
	days                  int
	max                   float64
}

func (s lineScale) x(i int) float64 {
	if s.days <= 1 {
		return r1((s.left + s.right) / 2)
	}
	return r1(s.left + float64(i)/float64(s.days-1)*(s.right-s.left))
}

func (s lineScale) y(v float64) float64 { return r1(s.bot - v/s.max*(s.bot-s.top)) }

// dayTicks labels days, counting back from the last one at a spacing that
// keeps labels minPx apart; the first label and any in a new year name the
// year.
func dayTicks(days []time.Time, sc lineScale, minPx float64) []tick {
	every := dayStep(len(days), sc.right-sc.left, minPx)
	var idx []int
	for i := len(days) - 1; i >= 0; i -= every {
		idx = append(idx, i)
	}
	var ticks []tick
	for j := len(idx) - 1; j >= 0; j-- {
		i := idx[j]
		t := tick{Pos: sc.x(i), Label: days[i].Format("Jan 2")}
		if j == len(idx)-1 || days[i].Year() != days[idx[j+1]].Year() {
			t.Sub = strconv.Itoa(days[i].Year())
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// drawLine is one series as a path, lifted where a value is missing and
// at the axis's cuts. With dots every point gets a dot; without, only a
// point with no neighbour, which the path alone would not show.
func drawLine(l lineSeries, sc lineScale, dots bool, cuts []bool) chartLine {
	cl := chartLine{Color: l.Color, Dash: l.Dash, Name: l.Name}
	var b strings.Builder
	pen := false
	for i, v := range l.Values {
		if cuts[i] {
			pen = false
		}
		if math.IsNaN(v) {
			pen = false
			continue
		}
		px, py := sc.x(i), sc.y(v)
		if pen {
			b.WriteString("L")
		} else {
			b.WriteString("M")
		}
		b.WriteString(f1(px) + " " + f1(py))
		isolated := !pen && (i+1 >= len(l.Values) || math.IsNaN(l.Values[i+1]) || cuts[i+1])
		if dots || isolated {
			cl.Dots = append(cl.Dots, point{px, py})
		}
		pen = true
	}
	cl.D = b.String()
	cl.Band = drawBand(l, sc, cuts)
	return cl
}

// drawBand outlines a line's interval: along the upper ends and back
// along the lower ones, a shape per run of days that have both, lifted
// at the axis's cuts as the line is. A day alone gets a narrow bar.
func drawBand(l lineSeries, sc lineScale, cuts []bool) string {
	if l.Lo == nil || l.Hi == nil {
		return ""
	}
	var b strings.Builder
	has := func(i int) bool { return !math.IsNaN(l.Lo[i]) && !math.IsNaN(l.Hi[i]) }
	for i := 0; i < len(l.Values); {
		if !has(i) {
			i++
			continue
		}
		j := i
		for j+1 < len(l.Values) && has(j+1) && !cuts[j+1] {
			j++
		}
		b.WriteString(bandShape(l, sc, i, j))
		i = j + 1
	}
	return b.String()
}

// bandShape is the closed outline of days i to j of a line's interval.
func bandShape(l lineSeries, sc lineScale, i, j int) string {
	if i == j {
		x, top, bot := sc.x(i), sc.y(l.Hi[i]), sc.y(l.Lo[i])
		return "M" + f1(x-2) + " " + f1(top) + "H" + f1(x+2) + "V" + f1(bot) + "H" + f1(x-2) + "Z"
	}
	var b strings.Builder
	for k := i; k <= j; k++ {
		b.WriteString(map[bool]string{true: "M", false: "L"}[k == i] + f1(sc.x(k)) + " " + f1(sc.y(l.Hi[k])))
	}
	for k := j; k >= i; k-- {
		b.WriteString("L" + f1(sc.x(k)) + " " + f1(sc.y(l.Lo[k])))
	}
	return b.String() + "Z"
}

// milestoneMarkers places the milestones that overlap days, numbered in
// the order given, and says how many badge rows they take: a badge goes on
// the first row where it clears the previous badge, so close milestones
// stack instead of printing over each other. Mirrored in report.js.
func milestoneMarkers(ms []milestoneView, days []time.Time, sc lineScale) ([]marker, int) {
	if len(days) == 0 {
		return nil, 0
	}
	var out []marker
	var rowEnd []float64
	for k, m := range ms {
		// A milestone none of whose days is on the axis (before it, after
		// it, or in a cut) is not drawn.
		i0, i1 := atOrAfter(days, m.first), atOrBefore(days, m.last)
		if i0 > i1 {
			continue
		}
		mk := marker{X: sc.x(i0), X2: sc.x(i1), N: k + 1, Title: strconv.Itoa(k+1) + " · " + m.When() + ": " + m.Label}
		row := badgeRow(rowEnd, mk.X)
		if row == len(rowEnd) {
			rowEnd = append(rowEnd, 0)
		}
		rowEnd[row] = mk.X + badgeR
		mk.BadgeY = float64(badgeR + 3 + badgeRowH*row)
		out = append(out, mk)
	}
	return out, len(rowEnd)
}

// badgeRow picks the row of a badge centred at x, given where each row's
// last badge ends: the first row it clears, a new row while there may be
// more, else the row that ends first.
func badgeRow(rowEnd []float64, x float64) int {
	best := 0
	for r, end := range rowEnd {
		if end+2 <= x-badgeR {
			return r
		}
		if end < rowEnd[best] {
			best = r
		}
	}
	if len(rowEnd) < badgeRows {
		return len(rowEnd)
	}
	return best
}

// sparkView is the index tiles' small chart.
type sparkView struct {
	W, H     float64
	D, Area  string
	LastX    float64
	LastY    float64
	HasPoint bool
	Aria     string
}

func newSpark(values []float64, aria string) sparkView {
	s := sparkView{W: 160, H: 40, Aria: aria}
	hi, lo := math.Inf(-1), math.Inf(1)
	for _, v := range values {
		if !math.IsNaN(v) {
			hi, lo = max(hi, v), min(lo, v)
		}
	}
	if math.IsInf(hi, 0) {
		return s
	}
	// A sparkline shows shape, so its scale starts at the smallest value,
	// padded so a flat line sits in the middle.
	if hi == lo {
		hi, lo = hi+1, lo-1
	}
	pad := 3.0
	x := func(i int) float64 {
		if len(values) <= 1 {
			return s.W / 2
		}
		return r1(pad + float64(i)/float64(len(values)-1)*(s.W-2*pad))
	}
	y := func(v float64) float64 { return r1(pad + (hi-v)/(hi-lo)*(s.H-2*pad)) }
	var b strings.Builder
	pen := false
	first := -1
	for i, v := range values {
		if math.IsNaN(v) {
			pen = false
			continue
		}
		if first < 0 {
			first = i
		}
		if pen {
			b.WriteString("L")
		} else {
			b.WriteString("M")
		}
		b.WriteString(f1(x(i)) + " " + f1(y(v)))
		pen = true
		s.LastX, s.LastY, s.HasPoint = x(i), y(v), true
	}
	s.D = b.String()
	if first >= 0 && !strings.Contains(s.D[1:], "M") {
		s.Area = s.D + "L" + f1(s.LastX) + " " + f1(s.H) + "L" + f1(x(first)) + " " + f1(s.H) + "Z"
	}
	return s
}

// funnelView is a horizontal bar per funnel step, longest first step.
type funnelView struct {
	W, H float64
	Size string
	Bars []funnelBar
	Aria string
}

type funnelBar struct {
	X, Y, W, H, NameY, ValueX, ValueY float64
	Name, Value, Color                string
}

// Funnel layout; mirrored in report.js (drawFunnel).
const (
	funnelValueW = 130 // room for "19,155 · 100.0%" after the longest bar
	funnelFont   = 14
)

// funnelCharts draws a funnel at every chart size.
func funnelCharts(names []string, counts []float64, aria string) []funnelView {
	var out []funnelView
	for _, size := range chartSizes {
		out = append(out, newFunnel(names, counts, aria, size))
	}
	return out
}

// newFunnel draws a bar per step with its name beside the bars, or above
// its bar where the names would take more than 40% of the width, so a bar
// never covers a name.
func newFunnel(names []string, counts []float64, aria string, size chartSize) funnelView {
	nameW := 0.0
	for _, n := range names {
		nameW = max(nameW, textWidth(n, funnelFont))
	}
	stacked := size.W < 640 || nameW+16 > size.W*0.4
	label, row := 0.0, 46.0
	if !stacked {
		label = math.Ceil(nameW + 16)
	} else {
		row = 62
	}
	f := funnelView{W: size.W, H: row*float64(len(names)) + 8, Size: size.Name, Aria: aria}
	hi := 0.0
	for _, c := range counts {
		hi = max(hi, c)
	}
	first := 0.0
	if len(counts) > 0 {
		first = counts[0]
	}
	span := size.W - label - funnelValueW - 8
	for i, name := range names {
		w := 1.0
		if hi > 0 {
			w = max(counts[i]/hi*span, 1)
		}
		y0 := float64(i)*row + 6
		val := formatValue("count", counts[i])
		if first > 0 {
			val += " · " + strconv.FormatFloat(counts[i]/first*100, 'f', 1, 64) + "%"
		}
		b := funnelBar{X: label, Y: y0, W: r1(w), H: 30, NameY: y0 + 21, ValueY: y0 + 21, Name: name, Value: val, Color: "c" + strconv.Itoa(i%11)}
		if stacked {
			b.NameY, b.Y, b.H, b.ValueY = y0+12, y0+20, 26, y0+38
		}
		b.ValueX = r1(label + w + 8)
		f.Bars = append(f.Bars, b)
	}
	return f
}

// healthChartView is a stacked bar per day: blobs loaded, census entries,
// duplicates, rejected.
type healthChartView struct {
	W, H                  float64
	Size                  string
	Left, Right, Top, Bot float64
	YTicks, XTicks        []tick
	Bars                  []healthBar
	Gaps                  []cutMark // between two bars: days never loaded
	MidY                  float64
}

type healthBar struct {
	X, W                        float64
	Day                         string
	Segments                    []healthSeg
	Fetched                     string
	Loaded, Server, Dup, Reject string
}

type healthSeg struct {
	Y, H  float64
	Class string
}

// healthCharts draws the blobs per day at every chart size.
func healthCharts(days []loadedDay) []healthChartView {
	var out []healthChartView
	for _, size := range chartSizes {
		out = append(out, newHealthChart(days, size))
	}
	return out
}

func newHealthChart(days []loadedDay, size chartSize) healthChartView {
	narrow := size.W < 560
	c := healthChartView{W: size.W, H: 300, Size: size.Name, Top: 16}
	if narrow {
		c.H = 240
	}
	c.Bot = c.H - 48
	c.MidY = (c.Top + c.Bot) / 2
	hi := 0.0
	for _, d := range days {
		hi = max(hi, float64(d.Loaded+d.ServerEvents+d.Duplicates+d.Rejected))
	}
	ys, step := niceTicks(hi, 4)
	for _, v := range ys {
		c.YTicks = append(c.YTicks, tick{Label: formatTick("count", v, step)})
	}
	c.Left, c.Right = plotLeft(c.YTicks), size.W-24
	if narrow {
		c.Right = size.W - 12
	}
	top := ys[len(ys)-1]
	y := func(v float64) float64 { return r1(c.Bot - v/top*(c.Bot-c.Top)) }
	for i, v := range ys {
		c.YTicks[i].Pos = y(v)
	}
	n := len(days)
	if n == 0 {
		return c
	}
	slot := (c.Right - c.Left) / float64(n)
	bw := math.Max(1, slot*0.72)
	minPx := 84.0
	if narrow {
		minPx = 64
	}
	var idx []int // the labelled days, counting back from the last
	for i := n - 1; i >= 0; i -= dayStep(n, c.Right-c.Left, minPx) {
		idx = append([]int{i}, idx...)
	}
	for j, i := range idx {
		t := tick{Pos: r1(c.Left + slot*(float64(i)+0.5)), Label: days[i].Day.Format("Jan 2")}
		// The first label and the first of a new year name the year.
		if j == 0 || days[i].Day.Year() != days[idx[j-1]].Day.Year() {
			t.Sub = strconv.Itoa(days[i].Day.Year())
		}
		c.XTicks = append(c.XTicks, t)
	}
	for i := 1; i < n; i++ {
		if from, to := days[i-1].Day.AddDate(0, 0, 1), days[i].Day.AddDate(0, 0, -1); !to.Before(from) {
			title := "Never loaded: " + from.Format(time.DateOnly)
			if to.After(from) {
				title += " to " + to.Format(time.DateOnly) + " (" + dayCount(daysBetween(from, to)+1) + ")"
			}
			c.Gaps = append(c.Gaps, cutMark{X: r1(c.Left + slot*float64(i)), Title: title})
		}
	}
	for i, d := range days {
		b := healthBar{X: r1(c.Left + slot*float64(i) + (slot-bw)/2), W: r1(bw), Day: d.Day.Format(time.DateOnly),
			Fetched: formatCount(d.Fetched), Loaded: formatCount(d.Loaded), Server: formatCount(d.ServerEvents),
			Dup: formatCount(d.Duplicates), Reject: formatCount(d.Rejected)}
		base := 0.0
		for _, part := range []struct {
			v     int64
			class string
		}{{d.Loaded, "h-loaded"}, {d.ServerEvents, "h-srv"}, {d.Duplicates, "h-dup"}, {d.Rejected, "h-rej"}} {
			if part.v <= 0 {
				continue
			}
			y0, y1 := y(base), y(base+float64(part.v))
			b.Segments = append(b.Segments, healthSeg{Y: y1, H: r1(math.Max(y0-y1, 0.5)), Class: part.class})
			base += float64(part.v)
		}
		c.Bars = append(c.Bars, b)
	}
	return c
}

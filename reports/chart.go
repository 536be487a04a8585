package reports

import (
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The charts are drawn as SVG by the server, so every page shows its
// numbers without JavaScript; report.js redraws the same chart when the
// reader changes a choice, with the same geometry and CSS classes. The
// structs below are what the SVG templates in templates/charts.html draw.

// Line chart geometry, in SVG user units.
const (
	chartW      = 960
	chartH      = 400
	chartLeft   = 76
	chartRight  = 24
	chartTop    = 44
	chartBottom = 64
)

type tick struct {
	Pos   float64 // x or y
	Label string
	Sub   string // second line of an x tick (the year)
}

type chartLine struct {
	Color string // CSS class: c0..c10 or cother
	Name  string
	D     string
	Dots  []point
}

type point struct{ X, Y float64 }

type marker struct {
	X, TextX, LabelY float64
	Anchor           string // start, or end near the right edge
	Label            string
	Date             string
}

// labelChar is the estimated width of a milestone label's character.
const labelChar = 6.5

// lineChartView is a time-series chart ready to draw.
type lineChartView struct {
	W, H                   float64
	Left, Right, Top, Bot  float64 // plot area edges
	YTicks, XTicks         []tick
	YLabel, XLabel, Aria   string
	Lines                  []chartLine
	Markers                []marker
	Empty                  bool
	MidX, MidY, LabelYPosX float64
}

// lineSeries is one line to draw: a value per day of days.
type lineSeries struct {
	Name, Color string
	Values      []float64
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

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// newLineChart lays out series over days. yLabel names the y axis.
func newLineChart(days []time.Time, lines []lineSeries, unit, yLabel, aria string, milestones []milestoneView) lineChartView {
	c := lineChartView{
		W: chartW, H: chartH,
		Left: chartLeft, Right: chartW - chartRight, Top: chartTop, Bot: chartH - chartBottom,
		YLabel: yLabel, XLabel: "Day (UTC)", Aria: aria,
	}
	c.MidX = (c.Left + c.Right) / 2
	c.MidY = (c.Top + c.Bot) / 2
	c.LabelYPosX = 18
	hi, hasAny := highest(lines)
	c.Empty = !hasAny || len(days) == 0
	// Durations are labelled in the unit that suits their size.
	div := 1.0
	if unit == "ms" {
		div, c.YLabel = msScale(hi)
	}
	ys, step := niceTicks(hi/div, 5)
	sc := lineScale{left: c.Left, right: c.Right, top: c.Top, bot: c.Bot, days: len(days), max: ys[len(ys)-1] * div}
	for _, v := range ys {
		c.YTicks = append(c.YTicks, tick{Pos: sc.y(v * div), Label: formatTick(unit, v, step)})
	}
	c.XTicks = dayTicks(days, sc)
	dots := len(days) <= 62 && len(lines) <= 5
	for _, l := range lines {
		c.Lines = append(c.Lines, drawLine(l, sc, dots))
	}
	c.Markers = milestoneMarkers(milestones, days, sc, c.W)
	return c
}

// highest is the largest value of lines (0 if none is above it), and
// whether they have any value at all.
func highest(lines []lineSeries) (hi float64, hasAny bool) {
	for _, l := range lines {
		for _, v := range l.Values {
			if !math.IsNaN(v) {
				hasAny = true
				hi = max(hi, v)
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
		return (s.left + s.right) / 2
	}
	return r1(s.left + float64(i)/float64(s.days-1)*(s.right-s.left))
}

func (s lineScale) y(v float64) float64 { return r1(s.bot - v/s.max*(s.bot-s.top)) }

// dayTicks labels days, counting back from the last one at a spacing that
// keeps labels apart; the first label and any in a new year name the year.
func dayTicks(days []time.Time, sc lineScale) []tick {
	every := dayStep(len(days), sc.right-sc.left, 84)
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

// drawLine is one series as a path, lifted where a value is missing. With
// dots every point gets a dot; without, only a point with no neighbour,
// which the path alone would not show.
func drawLine(l lineSeries, sc lineScale, dots bool) chartLine {
	cl := chartLine{Color: l.Color, Name: l.Name}
	var b strings.Builder
	pen := false
	for i, v := range l.Values {
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
		isolated := !pen && (i+1 >= len(l.Values) || math.IsNaN(l.Values[i+1]))
		if dots || isolated {
			cl.Dots = append(cl.Dots, point{px, py})
		}
		pen = true
	}
	cl.D = b.String()
	return cl
}

// milestoneMarkers places the milestones that fall within days on a chart
// width wide. A label goes on the first of two rows where it does not
// overlap the previous label; near the right edge it ends at its line.
// Widths are estimated, as in report.js.
func milestoneMarkers(milestones []milestoneView, days []time.Time, sc lineScale, width float64) []marker {
	if len(days) == 0 {
		return nil
	}
	var out []marker
	rowEnd := [2]float64{math.Inf(-1), math.Inf(-1)}
	for _, m := range milestones {
		i := int(m.day.Sub(days[0]).Hours() / 24)
		if i < 0 || i >= len(days) {
			continue
		}
		mx := sc.x(i)
		w := float64(utf8.RuneCountInString(m.Label)) * labelChar
		mk := marker{X: mx, TextX: mx + 4, Anchor: "start", Label: m.Label, Date: m.Date}
		if mx+4+w > width {
			mk.TextX, mk.Anchor = mx-4, "end"
		}
		x0 := mk.TextX
		if mk.Anchor == "end" {
			x0 -= w
		}
		row := labelRow(rowEnd, x0)
		rowEnd[row] = x0 + w
		mk.LabelY = sc.top - 26 + float64(row)*14
		out = append(out, mk)
	}
	return out
}

// labelRow picks the row of a label starting at x0, given where each
// row's last label ends: the first row it clears, else the one that ends
// first.
func labelRow(rowEnd [2]float64, x0 float64) int {
	switch {
	case rowEnd[0] < x0-8:
		return 0
	case rowEnd[1] < x0-8:
		return 1
	case rowEnd[1] < rowEnd[0]:
		return 1
	}
	return 0
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
	Bars []funnelBar
	Aria string
}

type funnelBar struct {
	Y, W, LabelY, ValueX, ValueY float64
	Name, Value                  string
	Color                        string
}

const (
	funnelW     = 960
	funnelLabel = 300
	funnelRowH  = 46
	funnelValue = 150
)

func newFunnel(names []string, counts []float64, aria string) funnelView {
	f := funnelView{W: funnelW, H: float64(funnelRowH*len(names) + 8), Aria: aria}
	hi := 0.0
	for _, c := range counts {
		hi = max(hi, c)
	}
	first := 0.0
	if len(counts) > 0 {
		first = counts[0]
	}
	span := float64(funnelW - funnelLabel - funnelValue)
	for i, name := range names {
		w := 0.0
		if hi > 0 {
			w = counts[i] / hi * span
		}
		y := float64(i*funnelRowH) + 6
		val := formatValue("count", counts[i])
		if first > 0 {
			val += " · " + strconv.FormatFloat(counts[i]/first*100, 'f', 1, 64) + "%"
		}
		f.Bars = append(f.Bars, funnelBar{
			Y: y, W: r1(math.Max(w, 1)), LabelY: y + 21,
			ValueX: r1(funnelLabel + math.Max(w, 1) + 8), ValueY: y + 21,
			Name: name, Value: val, Color: "c" + strconv.Itoa(i%11),
		})
	}
	return f
}

// healthChartView is a stacked bar per day: loaded, duplicates, rejected.
type healthChartView struct {
	W, H                  float64
	Left, Right, Top, Bot float64
	YTicks, XTicks        []tick
	Bars                  []healthBar
	MidY                  float64
}

type healthBar struct {
	X, W                float64
	Day                 string
	Segments            []healthSeg
	Fetched             string
	Loaded, Dup, Reject string
}

type healthSeg struct {
	Y, H  float64
	Class string
}

func newHealthChart(days []loadedDay) healthChartView {
	c := healthChartView{W: chartW, H: 300, Left: chartLeft, Right: chartW - chartRight, Top: 16, Bot: 300 - 48}
	c.MidY = (c.Top + c.Bot) / 2
	hi := 0.0
	for _, d := range days {
		hi = max(hi, float64(d.Loaded+d.Duplicates+d.Rejected))
	}
	ys, step := niceTicks(hi, 4)
	top := ys[len(ys)-1]
	y := func(v float64) float64 { return r1(c.Bot - v/top*(c.Bot-c.Top)) }
	for _, v := range ys {
		c.YTicks = append(c.YTicks, tick{Pos: y(v), Label: formatTick("count", v, step)})
	}
	n := len(days)
	if n == 0 {
		return c
	}
	slot := (c.Right - c.Left) / float64(n)
	bw := math.Max(1, slot*0.72)
	ds := dayStep(n, c.Right-c.Left, 84)
	for i := n - 1; i >= 0; i -= ds {
		c.XTicks = append([]tick{{Pos: r1(c.Left + slot*(float64(i)+0.5)), Label: days[i].Day.Format("Jan 2")}}, c.XTicks...)
	}
	for i, d := range days {
		b := healthBar{X: r1(c.Left + slot*float64(i) + (slot-bw)/2), W: r1(bw), Day: d.Day.Format(time.DateOnly),
			Fetched: formatCount(d.Fetched), Loaded: formatCount(d.Loaded), Dup: formatCount(d.Duplicates), Reject: formatCount(d.Rejected)}
		base := 0.0
		for _, part := range []struct {
			v     int64
			class string
		}{{d.Loaded, "h-loaded"}, {d.Duplicates, "h-dup"}, {d.Rejected, "h-rej"}} {
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

package reports

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// headline is a KPI's value over the last 7 days (or, for a quantile,
// its latest day) and its change against the 7 days before (the same
// weekday a week earlier), as a tile and a KPI page show it.
type headline struct {
	Value    string
	Per      string // "per day" for a count
	Interval string // "95% interval 160 to 195", or ""
	Period   string // the days the value is about
	Basis    string // what the value rests on, in words
	Short    string // Basis for a tile
	Note     string // what the value is a share of, or the other quantiles
	Day      string // the latest day with a value
	OlderDay bool   // Day is before the data-through day

	Change         string // "+5.2%", "−1.3 pts"; "" when there is nothing to compare
	Dir            string // up, down or flat
	Real           bool   // the change's interval excludes 0
	Judgement      string // good, bad or "": the colour
	Verdict        string // better, worse, clear rise, clear fall, no clear change, not judged
	Why            string // why the change is (not) coloured
	Against        string // what the change compares with, and its interval and n
	ChangeInterval string

	Spark  []float64
	Shares *sharesView // a distribution shown instead of one value
}

// tileDays is how many days a headline's value is estimated over.
const tileDays = 7

func (s *site) headline(d kpiDef) headline {
	r := s.results(d)
	if r == nil || len(s.ds.days) == 0 {
		return headline{Value: "–", Note: "no results yet"}
	}
	var h headline
	m := s.headlineMeasure(d, r)
	last := len(s.ds.days) - 1
	for i := s.ds.since(last, sparkDays); i <= last; i++ {
		h.Spark = append(h.Spark, m.daily(i))
	}
	li := latestValue(m.daily, s.ds.since(last, 8), last)
	if li < 0 {
		h.Value, h.Note = "–", "no value in the last 7 days"
		return h
	}
	h.Day = s.ds.days[li].Format(time.DateOnly)
	h.OlderDay = li != last
	from := s.ds.since(li, tileDays)
	if isQuantile(m) {
		from = li
	}
	p := m.period(from, li)
	h.value(m, p, s.ds.days[from], s.ds.days[li])
	h.basis(d, m, p)
	h.Note = s.headlineNote(d, r, m, p, li)
	if c, ok := s.lastWeeks(m, li); ok {
		h.compare(d, m, c)
	}
	h.Shares = s.sharesFor(d, li)
	return h
}

func isQuantile(m measure) bool { return m.method == "quantiles" || m.method == "sample quantiles" }

// value fills in the value, its interval and the days it is about.
func (h *headline) value(m measure, p periodEstimate, first, last time.Time) {
	v := m.shown(p)
	h.Value = formatValue(m.unit, v.Value)
	if m.perDay {
		h.Per = "per day"
	}
	if v.Bounded() && m.method != "census" {
		h.Interval = "95% interval " + formatValue(m.unit, v.Lo) + " to " + formatValue(m.unit, v.Hi)
	}
	h.Period = "last 7 days, " + first.Format(time.DateOnly) + " to " + last.Format(time.DateOnly)
	if isQuantile(m) {
		h.Period = "on " + last.Format(time.DateOnly)
	}
}

// basis says in plain words what the value rests on: a sample weighted
// up to all sessions, the server's exact census, or the sample as it is.
func (h *headline) basis(d kpiDef, m measure, p periodEstimate) {
	n := formatCount(int64(math.Round(p.obs)))
	what := "sampled " + plural(d, p.obs)
	switch {
	case d.additive():
		h.Basis = "An estimate for all dialog sessions from " + n + " " + what + ", each standing for 1 ÷ its sample rate sessions (the dialog sent only a sample, at a rate set per browser and device). The 95% interval is where the true value lies, 19 times out of 20."
		h.Short = "estimated from " + n + " " + what
	case m.method == "quantiles":
		h.Basis = "An estimate for all dialog sessions from " + n + " sampled observations, each weighted by 1 ÷ its session’s sample rate. The 95% interval is where the true value lies, 19 times out of 20."
		h.Short = "estimated from " + n + " sampled observations"
	case m.method == "census":
		h.Basis = "An exact count from the server’s census: not sampled, so the value has no interval; a change is judged against how much a steady count varies by chance (Poisson)."
		h.Short = "exact: the server’s census"
	case d.Counts == censusSubject:
		h.Basis = "Counts the server’s census entries as stored. Its version does not mark them as an exact census, so changes are not judged."
		h.Short = "the server’s census entries as stored"
	default:
		h.Basis = "This version carries no interval (its estimate is “sample”): it describes the sampled " + plural(d, 2) + ", or weights them without saying how sure the result is, so whether a change is more than sampling noise cannot be told."
		h.Short = "from the sample, no interval"
	}
}

// plural names what d counts, for n of them.
func plural(d kpiDef, n float64) string {
	what := d.Counts.Plural
	if what == "" {
		what = "sessions"
	}
	if n == 1 {
		return strings.TrimSuffix(what, "s")
	}
	return what
}

// compare fills in the change against the earlier period, coloured only
// when its interval excludes 0 (and the KPI says which way is better).
func (h *headline) compare(d kpiDef, m measure, c comparison) {
	base := m.shown(c.before)
	h.Change, h.Dir = change(m.unit, base.Value+c.change.Value, base.Value)
	if h.Change == "" {
		return
	}
	h.Real = m.judged() && c.real()
	if c.change.Bounded() {
		h.ChangeInterval = "95% interval " + signed(m.unit, c.change.Lo, base.Value) + " to " + signed(m.unit, c.change.Hi, base.Value)
	}
	against := "vs the 7 days before (" + c.beforeDays + "): " + formatValue(m.unit, base.Value)
	if m.perDay {
		against += " per day"
	}
	if isQuantile(m) {
		against = "vs " + c.beforeDays + ", the same weekday a week earlier: " + formatValue(m.unit, base.Value)
	} else if c.pairs < tileDays {
		against += " (the " + strconv.Itoa(c.pairs) + " weekdays both weeks have data)"
	}
	h.Against = against
	switch {
	case !m.judged():
		h.Verdict = "not judged"
		h.Why = "This version has no interval: whether this change is more than sampling noise cannot be told, so it is not coloured."
	case !h.Real:
		h.Verdict, h.Dir = "no clear change", "flat"
		h.Why = "The 95% interval of the change includes 0: the change may be chance."
	case h.Dir == "flat":
		h.Verdict, h.Real = "no clear change", false
		h.Why = "The change is below a tenth of a percent or point."
	default:
		h.Judgement = judge(d.Better, h.Dir)
		h.Verdict = verdict(h.Judgement, h.Dir)
		h.Why = "The 95% interval of the change excludes 0: more than chance."
	}
	if m.judged() && m.method != "census" {
		h.Against += " · n = " + formatCount(int64(math.Round(c.after.obs))) + " and " + formatCount(int64(math.Round(c.before.obs))) + " sampled " + obsName(d, m)
	}
}

// obsName is what a measure's n counts.
func obsName(d kpiDef, m measure) string {
	if isQuantile(m) {
		return "observations"
	}
	return plural(d, 2)
}

// verdict words a real change: good or bad news, or which way it went.
func verdict(judgement, dir string) string {
	switch {
	case judgement == "good":
		return "better"
	case judgement == "bad":
		return "worse"
	case dir == "up":
		return "clear rise"
	}
	return "clear fall"
}

// signed writes x, a change against base, as change does: points for a
// rate, else percent of base.
func signed(unit string, x, base float64) string {
	if math.IsNaN(x) {
		return "–"
	}
	text, _ := change(unit, base+x, base)
	if text == "" {
		return "–"
	}
	return text
}

// latestValue is the latest day from first to last that has a value (a
// rate has none on a day without a denominator), or -1.
func latestValue(daily func(i int) float64, first, last int) int {
	for i := last; i >= 0 && i >= first; i-- {
		if !math.IsNaN(daily(i)) {
			return i
		}
	}
	return -1
}

// headlineNote says what a headline is a share of, or which other
// quantiles go with the main one.
func (s *site) headlineNote(d kpiDef, r *kpiResults, m measure, p periodEstimate, li int) string {
	est := d.estimates()
	switch {
	case m.started != nil:
		fs := funnelSteps(r)
		return "of " + estimated(est) + formatCount(int64(math.Round(s.startedOver(m, p, li)))) + " sessions at “" + name(fs[0]) +
			"”, the share reaching “" + name(fs[len(fs)-1]) + "”"
	case d.Unit == "rate" && d.Kind != "shares":
		return s.rateNote(d, r, m, p, li)
	case d.Kind != "quantiles" || len(r.steps) <= 1:
		return ""
	}
	main := mainStep(d, r)
	var others []string
	for _, st := range r.steps {
		if st != main {
			others = append(others, name(st)+" "+formatValue(m.unit, s.values(d, s.total(d, st), li)[0]))
		}
	}
	if main != "p50" {
		return name(main) + " · " + strings.Join(others, " · ")
	}
	return main + " (median) · " + strings.Join(others, " · ")
}

func estimated(est bool) string {
	if est {
		return "an estimated "
	}
	return ""
}

// startedOver is how many entered a funnel over the headline's period.
func (s *site) startedOver(m measure, p periodEstimate, li int) float64 {
	if p.sums.Den > 0 {
		return p.sums.Den
	}
	var n float64
	for i := s.ds.since(li, tileDays); i <= li; i++ {
		if !math.IsNaN(m.started[i]) {
			n += m.started[i]
		}
	}
	return n
}

// rateNote gives a rate's numerator and denominator over the period: the
// weighted ones of an estimate.
func (s *site) rateNote(d kpiDef, r *kpiResults, m measure, p periodEstimate, li int) string {
	if p.sums.Den > 0 {
		return "an estimated " + formatCount(int64(math.Round(p.sums.Num))) + " of " + formatCount(int64(math.Round(p.sums.Den))) + " " + plural(d, p.sums.Den)
	}
	t := s.total(d, mainStep(d, r))
	if t == nil {
		return ""
	}
	var num, den float64
	for i := s.ds.since(li, tileDays); i <= li; i++ {
		if !math.IsNaN(t.n[i]) && !math.IsNaN(t.d[i]) {
			num, den = num+t.n[i], den+t.d[i]
		}
	}
	if den == 0 {
		return ""
	}
	return formatNumber(num) + " of " + formatNumber(den) + " sampled " + plural(d, den)
}

// judge says whether a change in direction dir ("up", "down", "flat") is
// good or bad news for a KPI whose header says better ("higher", "lower",
// "none"): "good", "bad", or "" for a flat change and for a KPI whose
// direction means nothing or is not registered yet.
func judge(better, dir string) string {
	if (better != "higher" && better != "lower") || (dir != "up" && dir != "down") {
		return ""
	}
	if (dir == "up") == (better == "higher") {
		return "good"
	}
	return "bad"
}

// funnelSteps are a funnel's steps proper, those named with a leading
// number; asideSteps are its other rows (a total over their own blobs,
// such as users returning after confirming), shown apart and never in a
// conversion.
func funnelSteps(r *kpiResults) []string {
	var out []string
	for _, st := range r.steps {
		if _, ok := leadingInt(st); ok {
			out = append(out, st)
		}
	}
	return out
}

func asideSteps(r *kpiResults) []string {
	var out []string
	for _, st := range r.steps {
		if _, ok := leadingInt(st); !ok {
			out = append(out, st)
		}
	}
	return out
}

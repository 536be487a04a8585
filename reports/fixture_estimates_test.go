package reports

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/marcboeker/go-duckdb"

	"github.com/persona-kpi/kpi/compute"
	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/stats"
)

// The fixture's population estimates: KPI versions above each KPI's
// latest real one, as the estimate versions in sql/kpis will be, with
// rows made the way the runner makes them (compute/doc.go, Estimates)
// from simulated weighted blobs. A population of dialog sessions is drawn
// per day, each session is sent with its user agent's sample rate, and
// each sent blob adds stats.Blob(1/rate, y) to the rows it counts in: so
// value, lo, hi, n and the sums agree with package stats, and the
// intervals are about a known truth.

// estSpec is one fixture-only estimate version.
type estSpec struct {
	id, estimate string
	kind, unit   string   // "" keeps the KPI's latest real version's
	title        string   // the version's title
	segs         []string // segmentations; nil keeps the real version's
}

var estSpecs = []estSpec{
	{id: "sign_in_attempts", estimate: "total", title: "Sign-in attempts (estimated)"},
	{id: "new_users", estimate: "total", title: "New users per day (estimated)",
		segs: []string{"Total", "OS", "Browser", "Screen", "Emails", "Locale", "API", "EmailType", "Outcome"}},
	{id: "new_user_success", estimate: "rate", title: "New user success (estimated)"},
	{id: "new_user_bounce", estimate: "rate", title: "New user bounce rate (estimated)"},
	{id: "bounce_rate", estimate: "rate", title: "Bounce rate (estimated)"},
	{id: "new_user_flow", estimate: "total", title: "New user flow (estimated)"},
	{id: "password_reset_flow", estimate: "total", title: "Password reset flow (estimated)"},
	{id: "general_progress", estimate: "total", title: "General progress (estimated)"},
	{id: "email_addition_flow", estimate: "total", title: "Email addition flow (estimated)"},
	{id: "sites_signed_in", estimate: "rate", kind: "shares", unit: "rate", title: "Persona adoption (share by sites)"},
	{id: "sites_signed_in", estimate: "quantiles p50", kind: "quantiles", unit: "median", title: "Persona adoption (weighted median)"},
	{id: "assertion_time", estimate: "quantiles p50 p95", title: "Assertion generation time (estimated)"},
	{id: "server_accounts_created", estimate: "census", title: "Accounts created (server census)"},
}

// fixtureCensusOff is the day the server's census of new accounts falls
// far below the dialog's estimate (entries lost): the check must flag it.
var fixtureCensusOff = fixtureThrough.AddDate(0, 0, -5)

// estimateDefinitions are the fixture's estimate versions: each spec's
// KPI's latest registered header with the next version number, the
// spec's estimate, and words naming the method.
func estimateDefinitions(tb testing.TB, real []compute.Definition, registered []string) []compute.Definition {
	tb.Helper()
	next := map[string]int{}
	latest := map[string]compute.Definition{}
	for _, d := range real {
		if slices.Contains(registered, d.Key()) && d.Version >= next[d.ID] {
			next[d.ID], latest[d.ID] = d.Version+1, d
		}
	}
	var out []compute.Definition
	for _, sp := range estSpecs {
		d, ok := latest[sp.id]
		if !ok {
			tb.Fatalf("no real KPI %s to base an estimate version on", sp.id)
		}
		d.Version, next[sp.id] = next[sp.id], next[sp.id]+1
		d.Title, d.Path = sp.title, fmt.Sprintf("sql/kpis/%s/v%d.sql", sp.id, d.Version)
		if sp.kind != "" {
			d.Kind, d.Unit = sp.kind, sp.unit
		}
		if sp.segs != nil {
			d.Segmentations = sp.segs
		}
		d.Description = "Estimated for all dialog sessions, each blob weighing 1/sample_rate (" + sp.estimate + "; package stats)."
		if sp.estimate == "census" {
			d.Description = "The server's exact count of complete_user_creation.success per day."
		}
		d.SQL = fmt.Sprintf("-- %s v%d (%s)\nSELECT day, 'Total' AS segmentation, 'Total' AS segment, '' AS step, kpi_sums(weight, 1) AS sums\nFROM kpi_blobs GROUP BY day", d.ID, d.Version, sp.estimate)
		if sp.estimate == "census" {
			d.SQL = fmt.Sprintf("-- %s v%d\nSELECT day, count(*) AS value\nFROM kpi_server_events\nGROUP BY day", d.ID, d.Version)
		}
		out = append(out, d)
	}
	return out
}

// estSpecEstimate is the estimate of a fixture definition: its spec's for
// an estimate version, else the sample's.
func estSpecEstimate(d compute.Definition, estimates []compute.Definition) string {
	for i, e := range estimates {
		if e.ID == d.ID && e.Version == d.Version {
			return estSpecs[i].estimate
		}
	}
	return "sample"
}

// simSession is one dialog session of the simulated population.
type simSession struct {
	seg      []int // its segment in each of the fixture's segmentations (index into the fixture's segments)
	phone    bool
	rate     float64
	shown    bool
	engaged  bool
	flow     int // new-user steps reached, 0 to 4
	returned bool
	outcome  string // "fallback", "idp" or ""
	reset    int    // password-reset steps reached
	added    int    // email-addition steps reached
	loggedIn bool
	sites    int
	assertMS float64
}

// simPopulation draws the fixture's population and samples it: rng draws
// each day's sessions (in the stationary fixture the same sessions on the
// same weekday of every week, so nothing changes but the sample), sample
// decides which are sent.
type simPopulation struct {
	rng      *rand.Rand
	sample   *rand.Rand
	segs     []fixtureSeg
	bySegm   map[string][]int // segmentation → its segments' indices
	order    []string         // segmentations in fixture order
	hostile  bool
	still    bool // stationary: no growth and no planted change
	lastDays time.Time
}

func newSimPopulation(f fixture) *simPopulation {
	p := &simPopulation{sample: rand.New(rand.NewPCG(15, 2024)), segs: fixtureSegments(f.hostile), bySegm: map[string][]int{},
		hostile: f.hostile, still: f.stationary, lastDays: fixtureThrough.AddDate(0, 0, -6)}
	for i, s := range p.segs {
		if s.segmentation == "Total" {
			continue
		}
		if _, ok := p.bySegm[s.segmentation]; !ok {
			p.order = append(p.order, s.segmentation)
		}
		p.bySegm[s.segmentation] = append(p.bySegm[s.segmentation], i)
	}
	return p
}

// pick draws one of a segmentation's segments by its share.
func (p *simPopulation) pick(segmentation string) int {
	u, acc := p.rng.Float64(), 0.0
	ids := p.bySegm[segmentation]
	for _, i := range ids {
		if acc += p.segs[i].share; u < acc {
			return i
		}
	}
	return ids[len(ids)-1]
}

// sampleRate is the rate the dialog set for an OS segment: desktops 0.1,
// phones 0.5, Firefox OS 0.7, as in production.
func sampleRate(os string) (rate float64, phone bool) {
	switch os {
	case "Android", "iOS":
		return 0.5, true
	case "FirefoxOS":
		return 0.7, true
	}
	return 0.1, false
}

// session draws one session of day (its index i in the fixture).
func (p *simPopulation) session(day time.Time) simSession {
	r := p.rng.Float64
	s := simSession{seg: make([]int, len(p.order))}
	for k, name := range p.order {
		s.seg[k] = p.pick(name)
	}
	s.rate, s.phone = sampleRate(p.segs[s.seg[slices.Index(p.order, persona.OS)]].segment)
	// The planted changes of the last 7 days: fewer new users log in
	// (phones far fewer), and more desktop users engage.
	planted := !p.still && !day.Before(p.lastDays)
	engage, finish := 0.62, 0.9
	switch {
	case planted && s.phone:
		engage, finish = 0.5, 0.3
	case planted:
		engage, finish = 0.67, 0.5
	case s.phone:
		engage = 0.5
	}
	s.shown = r() < 0.9
	s.engaged = s.shown && r() < engage
	for k, pr := range []float64{0.12, 0.72, 0.8, finish} {
		if !s.engaged || s.flow != k || r() >= pr {
			break
		}
		s.flow++
	}
	s.returned = s.engaged && s.flow == 0 && r() < 0.006
	switch {
	case s.flow >= 3:
		s.outcome = "fallback"
	case s.engaged && s.flow == 0 && r() < 0.01:
		s.outcome = "idp"
	}
	s.reset = steps(r, s.engaged && s.flow == 0, 0.02, 0.62, 0.85)
	s.added = steps(r, s.engaged, 0.01, 0.7, 0.9, 0.5)
	s.loggedIn = s.engaged && r() < 0.7
	s.sites = min(6, int(-math.Log(1-r())*map[bool]float64{false: 1.9, true: 1.3}[s.phone]))
	s.assertMS = math.Round(math.Exp(6.6 + 0.45*p.rng.NormFloat64() + map[bool]float64{false: 0, true: 0.4}[s.phone]))
	return s
}

// steps is how many steps of a flow a session reaches, each with its
// probability given the one before, if it can enter at all.
func steps(r func() float64, can bool, ps ...float64) int {
	n := 0
	for _, p := range ps {
		if !can || r() >= p {
			break
		}
		n++
	}
	return n
}

// acc adds blobs into the rows of one KPI version: (day, segment, step).
type acc struct {
	rows map[accKey]stats.Sums
	obs  map[accKey][]stats.Point // quantiles: observations by value
}

type accKey struct {
	day          time.Time
	segmentation string
	segment      string
	step         string
}

func newAcc() *acc { return &acc{rows: map[accKey]stats.Sums{}, obs: map[accKey][]stats.Point{}} }

// add puts one blob of weight w and value y into the rows of its segments.
func (a *acc) add(keys []accKey, w, y float64) {
	b := stats.Blob(w, y)
	for _, k := range keys {
		a.rows[k] = a.rows[k].Add(b)
	}
}

// observe records one quantile observation in its segments' rows.
func (a *acc) observe(keys []accKey, w, x float64) {
	for _, k := range keys {
		a.obs[k] = append(a.obs[k], stats.Point{Value: x, Count: 1, W: w, W2: w * w})
	}
}

// simulateEstimates draws the population day by day and fills one
// accumulator per estimate version (in estSpecs order); census holds the
// server's count per day.
func simulateEstimates(f fixture, defs []compute.Definition) (accs []*acc, census map[time.Time]float64) {
	p := newSimPopulation(f)
	accs = make([]*acc, len(defs))
	for i := range accs {
		accs[i] = newAcc()
	}
	census = map[time.Time]float64{}
	start := fixtureThrough.AddDate(0, 0, -(f.days - 1))
	for i := range f.days {
		day := start.AddDate(0, 0, i)
		if day.Equal(fixtureGap) {
			continue
		}
		size := 9000 * (1 + 0.18*math.Sin(float64(i)*2*math.Pi/7))
		p.rng = rand.New(rand.NewPCG(uint64(i%7), 7))
		if !f.stationary {
			size *= 1 + float64(i)/400
			p.rng = rand.New(rand.NewPCG(uint64(i), 1))
		}
		var truth float64
		for range int(size) {
			s := p.session(day)
			if s.outcome == "fallback" {
				truth++
			}
			if p.sample.Float64() < s.rate {
				p.count(accs, defs, day, s)
			}
		}
		// A few confirm the address after closing the dialog: accounts
		// the dialog never sees (docs/data.md §2.5.8).
		census[day] = math.Round(truth * 1.03)
		if day.Equal(fixtureCensusOff) {
			census[day] = math.Round(truth * 0.55)
		}
	}
	return accs, census
}

// keys lists a blob's rows for a step: Total and its segment in each of
// segmentations.
func (p *simPopulation) keys(day time.Time, s simSession, segmentations []string, step string) []accKey {
	out := []accKey{{day, "Total", "Total", step}}
	for k, name := range p.order {
		if slices.Contains(segmentations, name) {
			out = append(out, accKey{day, name, p.segs[s.seg[k]].segment, step})
		}
	}
	if slices.Contains(segmentations, "Outcome") && s.outcome != "" {
		out = append(out, accKey{day, "Outcome", s.outcome, step})
	}
	return out
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// count adds one sent blob to every estimate version's rows.
func (p *simPopulation) count(accs []*acc, defs []compute.Definition, day time.Time, s simSession) {
	w := stats.Weight(s.rate)
	cfg := config.Default()
	for i, d := range defs {
		a, segs := accs[i], d.Segmentations
		k := func(step string) []accKey { return p.keys(day, s, segs, step) }
		switch d.ID + "/" + d.Kind {
		case "sign_in_attempts/timeseries":
			a.add(k(""), w, 1)
		case "new_users/timeseries":
			if s.shown {
				a.add(k(""), w, b2f(s.outcome != ""))
			}
		case "new_user_success/timeseries":
			if s.flow > 0 {
				a.add(k(""), w, b2f(s.flow == 4))
			}
		case "new_user_bounce/timeseries":
			if s.flow > 0 {
				a.add(k(""), w, b2f(s.flow == 1))
			}
		case "bounce_rate/timeseries":
			if s.shown {
				a.add(k(""), w, b2f(!s.engaged))
			}
		case "new_user_flow/funnel":
			p.funnel(a, k, w, flowNames(cfg, "new_user"), s.flow)
			if s.returned {
				a.add(k("Returned after confirming"), w, 1)
			}
		case "password_reset_flow/funnel":
			p.funnel(a, k, w, flowNames(cfg, "password_reset"), s.reset)
		case "email_addition_flow/funnel":
			names := flowNames(cfg, "email_addition")
			if p.hostile {
				names = append(names, "4 - "+evilImg)
			}
			p.funnel(a, k, w, names, s.added)
		case "general_progress/funnel":
			reached := 1 + int(b2f(s.shown)) + int(b2f(s.engaged)) + int(b2f(s.engaged && s.loggedIn))
			p.funnel(a, k, w, []string{"0 - Blob sent", "1 - Dialog shown", "2 - User engaged", "3 - Logged in (assertion generated)"}, reached)
		case "sites_signed_in/shares":
			for c, step := range []string{"0", "1", "2", "3 or more"} {
				a.add(k(step), w, b2f(min(s.sites, 3) == c))
			}
		case "sites_signed_in/quantiles":
			a.observe(k(""), w, float64(s.sites))
		case "assertion_time/quantiles":
			if s.loggedIn {
				a.observe(k(""), w, s.assertMS)
			}
		}
	}
}

// funnel adds a blob that entered a flow (reached its first step) to
// every step's row, y = 1 for the steps it reached: each step's row sums
// the same blobs.
func (p *simPopulation) funnel(a *acc, k func(string) []accKey, w float64, names []string, reached int) {
	if reached == 0 {
		return
	}
	for j, name := range names {
		a.add(k(name), w, b2f(j < reached))
	}
}

func flowNames(cfg config.Config, flow string) []string {
	var out []string
	for _, s := range cfg.Flows[flow] {
		out = append(out, s.Name)
	}
	return out
}

// fxRow is a kpi_results row; NaN is NULL.
type fxRow struct {
	day                         time.Time
	segmentation, segment, step string
	value, num, den, lo, hi, n  float64
	sums                        *stats.Sums
}

// estimateRows turns a version's accumulated blobs into its rows, as the
// runner does: value and interval from package stats, n the sampled
// blobs behind the value, the sums kept.
func estimateRows(method string, levels []string, a *acc) []fxRow {
	nan := math.NaN()
	var out []fxRow
	for k, s := range a.rows {
		row := fxRow{day: k.day, segmentation: k.segmentation, segment: k.segment, step: k.step, num: s.Num, den: s.Den, n: s.N}
		sums := s
		row.sums = &sums
		var iv stats.Interval
		switch method {
		case "total":
			iv, row.den, row.n = stats.Total(s), nan, s.Y
		case "rate":
			iv = stats.Rate(s)
		case "mean":
			iv = stats.Mean(s)
		}
		if math.IsNaN(iv.Value) {
			continue
		}
		row.value, row.lo, row.hi = iv.Value, iv.Lo, iv.Hi
		out = append(out, row)
	}
	for k, obs := range a.obs {
		pts := groupPoints(obs)
		var n float64
		for _, pt := range pts {
			n += pt.Count
		}
		for _, step := range levels {
			var q float64
			fmt.Sscanf(step, "p%g", &q)
			iv := stats.QuantilePoints(pts, q/100)
			out = append(out, fxRow{day: k.day, segmentation: k.segmentation, segment: k.segment, step: step,
				value: iv.Value, num: nan, den: n, lo: iv.Lo, hi: iv.Hi, n: n})
		}
	}
	return out
}

// groupPoints sorts observations by value and merges equal values.
func groupPoints(obs []stats.Point) []stats.Point {
	slices.SortFunc(obs, func(a, b stats.Point) int { return cmpFloat(a.Value, b.Value) })
	var out []stats.Point
	for _, o := range obs {
		if n := len(out); n > 0 && out[n-1].Value == o.Value {
			out[n-1].Count += o.Count
			out[n-1].W += o.W
			out[n-1].W2 += o.W2
			continue
		}
		out = append(out, o)
	}
	return out
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// insertEstimates registers the estimate versions and writes their rows.
func insertEstimates(tb testing.TB, db *sql.DB, f fixture, defs []compute.Definition) {
	tb.Helper()
	ctx := context.Background()
	accs, census := simulateEstimates(f, defs)
	var rows [][]driver.Value
	add := func(d compute.Definition, r fxRow) {
		v := []driver.Value{d.ID, int32(d.Version), r.day, r.segmentation, r.segment, r.step, r.value}
		for _, x := range []float64{r.num, r.den, r.lo, r.hi, r.n} {
			v = append(v, nullable(x))
		}
		if r.sums != nil {
			s := r.sums
			v = append(v, s.N, s.Y, s.Num, s.Den, s.W2, s.W2Y, s.W2Y2, s.WY2)
		} else {
			v = append(v, nil, nil, nil, nil, nil, nil, nil, nil)
		}
		rows = append(rows, v)
	}
	for i, d := range defs {
		sp := estSpecs[i]
		if sp.estimate == "census" {
			for day, n := range census {
				add(d, fxRow{day: day, segmentation: "Total", segment: "Total", value: n, num: n, den: math.NaN(), lo: n, hi: n, n: n})
			}
			continue
		}
		method, levels, _ := strings.Cut(sp.estimate, " ")
		for _, r := range estimateRows(method, strings.Fields(levels), accs[i]) {
			add(d, r)
		}
	}
	exec := func(q string) {
		if _, err := db.ExecContext(ctx, q); err != nil {
			tb.Fatalf("%v\n%s", err, q)
		}
	}
	exec(`CREATE TABLE fx_est (kpi VARCHAR, version INTEGER, day DATE, segmentation VARCHAR, segment VARCHAR, step VARCHAR,
		value DOUBLE, numerator DOUBLE, denominator DOUBLE, lo DOUBLE, hi DOUBLE, n BIGINT,
		s_blobs DOUBLE, s_y DOUBLE, s_wy DOUBLE, s_w DOUBLE, s_w2 DOUBLE, s_w2y DOUBLE, s_w2y2 DOUBLE, s_wy2 DOUBLE)`)
	conn, err := db.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "fx_est")
		if err != nil {
			return err
		}
		for _, r := range rows {
			if n, ok := r[11].(float64); ok {
				r[11] = int64(math.Round(n))
			}
			if err := a.AppendRow(r...); err != nil {
				a.Close()
				return err
			}
		}
		return a.Close()
	})
	conn.Close()
	if err != nil {
		tb.Fatal(err)
	}
	exec(`INSERT INTO kpi_results BY NAME SELECT * FROM fx_est`)
	exec(`DROP TABLE fx_est`)
}

func nullable(x float64) driver.Value {
	if math.IsNaN(x) {
		return nil
	}
	return x
}

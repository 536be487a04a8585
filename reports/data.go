package reports

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	arrowlib "github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/marcboeker/go-duckdb"

	"github.com/persona-kpi/kpi/config"
	"github.com/persona-kpi/kpi/persona"
	"github.com/persona-kpi/kpi/stats"
	"github.com/persona-kpi/kpi/store"
)

// kpiDef is one version of one KPI definition.
type kpiDef struct {
	ID           string
	Version      int
	Title        string
	Question     string
	Unit         string // count, rate, mean, median, ms
	Kind         string // timeseries, funnel, quantiles or shares
	Better       string // higher, lower, none; "" until compute registers it (see qKPIDefs)
	Description  string
	SQL          string
	Path         string       // the definition's file, e.g. sql/kpis/<kpi>/v1.sql
	ComputedAt   sql.NullTime // when this SQL last computed
	ComputedFrom sql.NullTime // first and last day computed with it
	ComputedTo   sql.NullTime
	Counts       subject // what it counts, from the relations SQL reads
	// Estimate is the header's estimate (compute/doc.go, Estimates):
	// sample, census, total, rate, mean or "quantiles p50 p95".
	Estimate string
}

// method is the estimate's method: its first word.
func (d kpiDef) method() string {
	m, _, _ := strings.Cut(d.Estimate, " ")
	if m == "" {
		return "sample"
	}
	return m
}

// additive reports whether the version's rows carry the additive sums
// from which package stats estimates any range of days.
func (d kpiDef) additive() bool {
	switch d.method() {
	case "total", "rate", "mean":
		return true
	}
	return false
}

// estimates reports whether the values estimate the population of dialog
// sessions from the sampled blobs, with intervals.
func (d kpiDef) estimates() bool { return d.additive() || d.method() == "quantiles" }

type kpiKey struct {
	id      string
	version int
}

// series is one line of a chart: per site day, NaN where there is no
// value. lo and hi are the value's 95% interval, obs the sampled blobs
// behind it (NaN where the row has none); sums, the rows' additive sums,
// is nil unless the version stores them (a day without a row adds
// nothing).
type series struct {
	v, n, d     []float64
	lo, hi, obs []float64
	sums        []stats.Sums
}

func newSeries(days int) *series {
	s := &series{}
	for _, p := range []*[]float64{&s.v, &s.n, &s.d, &s.lo, &s.hi, &s.obs} {
		*p = make([]float64, days)
		for i := range *p {
			(*p)[i] = math.NaN()
		}
	}
	return s
}

// rangeSums adds the sums of days from to to.
func (s *series) rangeSums(from, to int) stats.Sums {
	var out stats.Sums
	if s == nil || s.sums == nil {
		return out
	}
	for i := max(from, 0); i <= to; i++ {
		out = out.Add(s.sums[i])
	}
	return out
}

// kpiResults holds one KPI version's results.
type kpiResults struct {
	steps []string
	// cells maps segmentation → segment → step → series.
	cells    map[string]map[string]map[string]*series
	first    int // first day index with a result
	last     int
	hasRatio bool // some numerator or denominator is set
	hasBand  bool // some value has an interval wider than itself
	hasSums  bool // the rows carry additive sums
}

// cell is a segment's series of a step, made on first use. The names are
// copied into the maps, so they may point into memory that is reused.
func (r *kpiResults) cell(segmentation, segment, step string, days int) *series {
	bySeg := r.cells[segmentation]
	if bySeg == nil {
		bySeg = map[string]map[string]*series{}
		r.cells[strings.Clone(segmentation)] = bySeg
	}
	byStep := bySeg[segment]
	if byStep == nil {
		byStep = map[string]*series{}
		bySeg[strings.Clone(segment)] = byStep
	}
	s := byStep[step]
	if s == nil {
		s = newSeries(days)
		byStep[strings.Clone(step)] = s
	}
	return s
}

// runInfo is one row of runs.
// runInfo is a run as the pages show it.
type runInfo struct{ store.Run }

// Duration is how long the run took, or "" if it has not ended.
func (r runInfo) Duration() string {
	if !r.EndedAt.Valid {
		return ""
	}
	return r.EndedAt.Time.Sub(r.StartedAt).Round(time.Second).String()
}

type loadedDay = store.LoadedDay

type otherValue struct {
	Segmentation string
	Raw          sql.NullString
	N, Total     int64
}

type eventCount struct {
	Name        string
	N, Sessions int64
}

// typeCount is how many census entries of a type a day has; Type is NULL
// for the types outside persona.ServerEventTypes, counted together.
type typeCount struct {
	Day  time.Time
	Type sql.NullString
	N    int64
}

// rateCount is how many blobs of a day and OS segment had a sample rate:
// Kind is "rate" (Rate holds it), "other" (a rate outside the most
// frequent ones) or "none" (the blob had no rate).
type rateCount struct {
	Day  time.Time
	OS   string
	Kind string
	Rate sql.NullFloat64
	N    int64
}

// typeTotal is how many census entries of an unknown type the window has.
type typeTotal struct {
	Type string
	N    int64
}

// dataset is everything the site is made from.
type dataset struct {
	defs     []kpiDef
	results  map[kpiKey]*kpiResults
	days     []time.Time // the day axis: see setDays
	covered  []bool      // the day has any result at all
	dayIndex map[time.Time]int

	run         *runInfo // the run the site reports on, if known
	lastSuccess *runInfo // the newest run that succeeded
	runs        []runInfo
	loadedDays  []loadedDay
	gaps        []store.DayRange // runs of days never loaded, between loaded ones
	rejects     map[time.Time]map[string]int64
	reasons     []string
	others      []otherValue
	recent      int64 // sessions in the Other window
	unknownEvt  []eventCount
	serverTypes []typeCount // census entries per day and type, over the Other window
	otherTypes  []typeTotal // the most frequent unknown census types
	rates       []rateCount // blobs per day, OS segment and sample rate, over the Other window
	missing     []string    // tables the database lacks
}

func (ds *dataset) through() (time.Time, bool) {
	if len(ds.days) == 0 {
		return time.Time{}, false
	}
	return ds.days[len(ds.days)-1], true
}

// readDataset reads everything the site shows. Missing tables are noted,
// not fatal, so a report can be made from a partly built database.
func readDataset(ctx context.Context, db *sql.DB, opt Options) (*dataset, error) {
	ds := &dataset{results: map[kpiKey]*kpiResults{}, rejects: map[time.Time]map[string]int64{}, dayIndex: map[time.Time]int{}}
	has, err := ds.findTables(ctx, db)
	if err != nil {
		return nil, err
	}
	// Each part of the dataset, and the tables it is read from. The
	// results' rows are placed in their series in the background while
	// the other parts are read; placed waits for that.
	placed := func() error { return nil }
	parts := []struct {
		tables []string
		read   func() error
	}{
		{[]string{"kpi_results"}, func() (err error) { placed, err = ds.readResults(ctx, db); return err }},
		{[]string{"kpis"}, func() error { return ds.readDefs(ctx, db) }},
		{[]string{"runs"}, func() error { return ds.readRuns(ctx, db, opt.RunID) }},
		{[]string{"loaded_days"}, func() error { return ds.readLoadedDays(ctx, db) }},
		{[]string{"rejects"}, func() error { return ds.readRejects(ctx, db) }},
		{[]string{"loaded_days", "day_other_values"}, func() error { return ds.readOthers(ctx, db) }},
		{[]string{"loaded_days", "day_event_names"}, func() error { return ds.readUnknownEvents(ctx, db, opt.Config) }},
		{[]string{"loaded_days", "day_server_types"}, func() error { return ds.readServerTypes(ctx, db) }},
		{[]string{"loaded_days", "day_sample_rates"}, func() error { return ds.readSampleRates(ctx, db) }},
	}
	for _, p := range parts {
		if !has(p.tables...) {
			continue
		}
		if err = p.read(); err != nil {
			break
		}
	}
	if perr := placed(); err == nil {
		err = perr
	}
	if err != nil {
		return nil, err
	}
	return ds, nil
}

// findTables notes which of the tables the site reads the database lacks,
// and returns a test of whether it has all of some tables.
func (ds *dataset) findTables(ctx context.Context, db *sql.DB) (has func(tables ...string) bool, err error) {
	names, err := queryAll(ctx, db, "tables", qRelations, nil, func(rows *sql.Rows, name *string) error {
		return rows.Scan(name)
	})
	if err != nil {
		return nil, err
	}
	found := map[string]bool{}
	for _, t := range []string{"kpi_results", "kpis", "runs", "loaded_days", "rejects", "day_other_values", "day_event_names", "day_server_types", "day_sample_rates"} {
		if found[t] = slices.Contains(names, t); !found[t] {
			ds.missing = append(ds.missing, t)
		}
	}
	return func(tables ...string) bool {
		for _, t := range tables {
			if !found[t] {
				return false
			}
		}
		return true
	}, nil
}

// readResults reads kpi_results: the days they cover, then every row into
// the series of its version, segment and step.
// They are read here; the returned placed places them, on its own
// goroutine, and waits for it: until it has returned, nothing else may
// touch the days or results.
func (ds *dataset) readResults(ctx context.Context, db *sql.DB) (placed func() error, err error) {
	none := func() error { return nil }
	present, err := readResultDays(ctx, db)
	if err != nil || len(present) == 0 {
		return none, err
	}
	ds.setDays(present)
	place, err := ds.readResultRows(ctx, db)
	if err != nil {
		return none, err
	}
	done := make(chan error, 1)
	go func() {
		err := place()
		for _, r := range ds.results {
			r.sortSteps()
		}
		done <- err
	}()
	return func() error { return <-done }, nil
}

// readResultDays lists the days that have any result, ascending.
func readResultDays(ctx context.Context, db *sql.DB) ([]time.Time, error) {
	rows, err := db.QueryContext(ctx, qResultDays)
	if err != nil {
		return nil, fmt.Errorf("read result days: %w", err)
	}
	defer rows.Close()
	var present []time.Time
	for rows.Next() {
		var d time.Time
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("read result days: %w", err)
		}
		present = append(present, d.UTC())
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read result days: %w", err)
	}
	return present, nil
}

// maxShownGap is the longest run of days without results that the day
// axis keeps. Such days stay on it as days without data: a line breaks
// there, and a week or month holding one is partial. A longer run is cut
// out of the axis, and the charts mark the cut. So the pages grow with
// the days that have data, never with the span between the first and
// the last: data on two days fourteen years apart makes an axis of two
// days, not of five thousand.
const maxShownGap = 31

// setDays makes the site's day axis from the days with results, present
// (ascending): those days, marked covered, and the days between two of
// them that are at most maxShownGap apart.
func (ds *dataset) setDays(present []time.Time) {
	add := func(d time.Time, covered bool) {
		ds.dayIndex[d] = len(ds.days)
		ds.days = append(ds.days, d)
		ds.covered = append(ds.covered, covered)
	}
	for i, d := range present {
		if i > 0 && daysBetween(present[i-1], d)-1 <= maxShownGap {
			for g := present[i-1].AddDate(0, 0, 1); g.Before(d); g = g.AddDate(0, 0, 1) {
				add(g, false)
			}
		}
		add(d, true)
	}
}

// daysBetween is how many days b is after a (UTC midnights).
func daysBetween(a, b time.Time) int { return int(b.Sub(a).Hours()/24 + 0.5) }

// atOrAfter is the index of the first of days (ascending) on or after t:
// len(days) if none is.
func atOrAfter(days []time.Time, t time.Time) int {
	i, _ := slices.BinarySearchFunc(days, t, time.Time.Compare)
	return i
}

// atOrBefore is the index of the last of days (ascending) on or before
// t: -1 if none is.
func atOrBefore(days []time.Time, t time.Time) int {
	i, found := slices.BinarySearchFunc(days, t, time.Time.Compare)
	if found {
		return i
	}
	return i - 1
}

// cutBefore reports whether the axis skips days before its day i: a run
// of more than maxShownGap days without results was cut out there.
func cutBefore(days []time.Time, i int) bool { return i > 0 && daysBetween(days[i-1], days[i]) > 1 }

// since is the index of the first day of the axis within n days up to
// day i (day i itself being the n-th): the start of "the last n days".
func (ds *dataset) since(i, n int) int {
	return atOrAfter(ds.days, ds.days[i].AddDate(0, 0, -(n-1)))
}

// readResultRows places every kpi_results row in its version's series.
// The rows are read as Arrow records, column by column (through
// database/sql, converting each of the 20 values of a few hundred
// thousand rows to a Go value took most of the report's read), and each
// series' names are read once: the rows carry a hash of them instead,
// which is about half of the transfer saved. Should two series' names
// hash alike, the rows are read with their names.
func (ds *dataset) readResultRows(ctx context.Context, db *sql.DB) (place func() error, err error) {
	byKey, err := ds.readResultSeries(ctx, db)
	if err != nil {
		return nil, err
	}
	return ds.readResultValues(ctx, db, byKey)
}

// readResultValues reads the rows of the series byKey lists, or with
// their names if byKey is nil, and returns the function that places them
// in their series. The rows are held as DuckDB handed them over until
// then.
func (ds *dataset) readResultValues(ctx context.Context, db *sql.DB, byKey map[uint64]*seriesRef) (place func() error, err error) {
	p := ds.newResultPlacer()
	q, placeRecord := qResultValues, p.placeByKey
	if byKey == nil {
		q, placeRecord = qResults, p.placeByName
	}
	p.byKey = byKey
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("read kpi_results: %w", err)
	}
	defer conn.Close()
	var recs []arrowlib.Record
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("not a database/sql driver connection: %T", dc)
		}
		a, err := duckdb.NewArrowFromConn(c)
		if err != nil {
			return err
		}
		rr, err := a.QueryContext(ctx, q)
		if err != nil {
			return err
		}
		defer rr.Release()
		for rr.Next() {
			rec := rr.Record()
			rec.Retain()
			recs = append(recs, rec)
		}
		return rr.Err()
	})
	if err != nil {
		for _, rec := range recs {
			rec.Release()
		}
		return nil, fmt.Errorf("read kpi_results: %w", err)
	}
	return func() error {
		var err error
		for _, rec := range recs {
			if err == nil {
				if err = placeRecord(rec); err != nil {
					err = fmt.Errorf("read kpi_results: %w", err)
				}
			}
			rec.Release()
		}
		return err
	}, nil
}

// seriesRef is one series of kpi_results: its version and names, and
// once a row of it is placed, its series.
type seriesRef struct {
	r                  *kpiResults
	seg, segment, step string
	s                  *series
}

// readResultSeries reads the series of kpi_results by the hash of their
// names (qResultSeries); nil if two of them hash alike.
func (ds *dataset) readResultSeries(ctx context.Context, db *sql.DB) (map[uint64]*seriesRef, error) {
	type named struct {
		key   uint64
		id    string
		v     int
		names [3]string
	}
	all, err := queryAll(ctx, db, "kpi_results series", qResultSeries, nil, func(rows *sql.Rows, n *named) error {
		return rows.Scan(&n.key, &n.id, &n.v, &n.names[0], &n.names[1], &n.names[2])
	})
	if err != nil {
		return nil, err
	}
	byKey := make(map[uint64]*seriesRef, len(all))
	for _, n := range all {
		if _, dup := byKey[n.key]; dup {
			return nil, nil
		}
		byKey[n.key] = &seriesRef{seg: n.names[0], segment: n.names[1], step: n.names[2]}
	}
	// Each version with rows has results, made once the hashes are known
	// to tell the series apart (else the rows are read by name).
	for _, n := range all {
		byKey[n.key].r = ds.result(kpiKey{n.id, n.v})
	}
	return byKey, nil
}

// resultPlacer puts the records of qResultValues, or of qResults, into
// the dataset's series. It remembers the last row's series: a series
// often holds a run of rows.
type resultPlacer struct {
	ds    *dataset
	day   map[int32]int // days since 1970 → index on the day axis
	byKey map[uint64]*seriesRef
	// By name: the last row's version and names.
	key     kpiKey
	r       *kpiResults
	seg     [3]string // segmentation, segment, step of s
	s       *series
	haveSeg bool
}

func (ds *dataset) newResultPlacer() *resultPlacer {
	p := &resultPlacer{ds: ds, day: make(map[int32]int, len(ds.days))}
	for i, d := range ds.days {
		p.day[int32(d.Unix()/86400)] = i
	}
	return p
}

// textColumn is an Arrow string column, whichever of the string layouts
// DuckDB hands over.
type textColumn interface {
	Value(int) string
	IsNull(int) bool
}

// resultNumbers are the 14 DOUBLE columns that end both queries: value,
// numerator, denominator, lo, hi, n, then the eight sums.
type resultNumbers [14]*array.Float64

func resultNumbersOf(rec arrowlib.Record, from int) (resultNumbers, error) {
	var num resultNumbers
	if int(rec.NumCols()) != from+len(num) {
		return num, fmt.Errorf("%d columns, not %d", rec.NumCols(), from+len(num))
	}
	for c := range num {
		var ok bool
		if num[c], ok = rec.Column(from + c).(*array.Float64); !ok {
			return num, fmt.Errorf("column %d is %s, not DOUBLE", from+c, rec.Column(from+c).DataType())
		}
	}
	return num, nil
}

// dayColumn is the record's DATE column c.
func dayColumn(rec arrowlib.Record, c int) (*array.Date32, error) {
	day, ok := rec.Column(c).(*array.Date32)
	if !ok {
		return nil, fmt.Errorf("column day is %s, not DATE", rec.Column(c).DataType())
	}
	return day, nil
}

// placeByKey puts one record of qResultValues into the series.
func (p *resultPlacer) placeByKey(rec arrowlib.Record) error {
	keys, ok := rec.Column(0).(*array.Uint64)
	if !ok {
		return fmt.Errorf("column key is %s, not UBIGINT", rec.Column(0).DataType())
	}
	day, err := dayColumn(rec, 1)
	if err != nil {
		return err
	}
	num, err := resultNumbersOf(rec, 2)
	if err != nil {
		return err
	}
	var last *seriesRef
	var lastKey uint64
	for row := range int(rec.NumRows()) {
		k := keys.Value(row)
		if last == nil || k != lastKey {
			if last, lastKey = p.byKey[k], k; last == nil {
				return fmt.Errorf("a row of a series not listed (hash %d): kpi_results changed while read", k)
			}
		}
		i, ok := p.day[int32(day.Value(row))]
		if !ok {
			continue
		}
		if last.s == nil {
			last.s = last.r.cell(last.seg, last.segment, last.step, len(p.ds.days))
		}
		placeRow(last.r, last.s, i, &num, row)
	}
	return nil
}

// placeByName puts one record of qResults into the series.
func (p *resultPlacer) placeByName(rec arrowlib.Record) error {
	var text [4]textColumn // kpi, segmentation, segment, step
	for k, c := range [4]int{0, 3, 4, 5} {
		var ok bool
		if text[k], ok = rec.Column(c).(textColumn); !ok {
			return fmt.Errorf("column %d is %s, not text", c, rec.Column(c).DataType())
		}
	}
	version, ok := rec.Column(1).(*array.Int64)
	if !ok {
		return fmt.Errorf("column version is %s, not BIGINT", rec.Column(1).DataType())
	}
	day, err := dayColumn(rec, 2)
	if err != nil {
		return err
	}
	num, err := resultNumbersOf(rec, 6)
	if err != nil {
		return err
	}
	ds := p.ds
	// The names point into the record, released once the next is read.
	p.haveSeg = false
	for row := range int(rec.NumRows()) {
		id, v := text[0].Value(row), int(version.Value(row))
		if p.r == nil || id != p.key.id || v != p.key.version {
			p.key = kpiKey{strings.Clone(id), v}
			p.r = ds.result(p.key)
			p.haveSeg = false
		}
		i, ok := p.day[int32(day.Value(row))]
		if !ok {
			continue
		}
		seg, segment, step := text[1].Value(row), text[2].Value(row), text[3].Value(row)
		if !p.haveSeg || seg != p.seg[0] || segment != p.seg[1] || step != p.seg[2] {
			p.s = p.r.cell(seg, segment, step, len(ds.days))
			p.seg = [3]string{seg, segment, step}
			p.haveSeg = true
		}
		placeRow(p.r, p.s, i, &num, row)
	}
	return nil
}

// placeRow puts the numbers of a row into day i of series s of r.
func placeRow(r *kpiResults, s *series, i int, num *resultNumbers, row int) {
	// f is a number and whether it is not NULL.
	f := func(c int) (float64, bool) {
		if num[c].IsNull(row) {
			return 0, false
		}
		return num[c].Value(row), true
	}
	r.first, r.last = min(r.first, i), max(r.last, i)
	value, valueOK := f(0)
	n, nOK := f(1)
	d, dOK := f(2)
	lo, loOK := f(3)
	hi, hiOK := f(4)
	obs, obsOK := f(5)
	s.v[i], s.n[i], s.d[i] = notNaN(value, valueOK), notNaN(n, nOK), notNaN(d, dOK)
	s.lo[i], s.hi[i], s.obs[i] = notNaN(lo, loOK), notNaN(hi, hiOK), notNaN(obs, obsOK)
	r.hasRatio = r.hasRatio || nOK || dOK
	r.hasBand = r.hasBand || (loOK && hiOK && hi > lo)
	// A quantile keeps some sums only (its count and weights): it is
	// not additive, and only rows with the ratio sums are read.
	var sums [8]float64
	var valid [8]bool
	for k := range sums {
		sums[k], valid[k] = f(6 + k)
	}
	if valid[0] && valid[2] && valid[3] {
		if s.sums == nil {
			s.sums = make([]stats.Sums, len(s.v))
		}
		s.sums[i] = stats.Sums{N: sums[0], Y: sums[1], Num: sums[2], Den: sums[3],
			W2: sums[4], W2Y: sums[5], W2Y2: sums[6], WY2: sums[7]}
		r.hasSums = true
	}
}

// result is a version's results, made empty on first use.
func (ds *dataset) result(k kpiKey) *kpiResults {
	r := ds.results[k]
	if r == nil {
		r = &kpiResults{cells: map[string]map[string]map[string]*series{}, first: len(ds.days), last: -1}
		ds.results[k] = r
	}
	return r
}

// sortSteps lists the steps the results have, in step order.
func (r *kpiResults) sortSteps() {
	steps := map[string]bool{}
	for _, bySeg := range r.cells {
		for _, byStep := range bySeg {
			for st := range byStep {
				steps[st] = true
			}
		}
	}
	for st := range steps {
		r.steps = append(r.steps, st)
	}
	slices.SortFunc(r.steps, compareSteps)
}

// notNaN keeps NULL (not valid), NaN and infinities out of the charts:
// all become NaN.
func notNaN(v float64, valid bool) float64 {
	if !valid || math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// compareSteps orders "2 - x" before "10 - y": by leading number, then
// name; steps without a number (a funnel's asides) after the numbered.
func compareSteps(a, b string) int {
	na, oka := leadingInt(a)
	nb, okb := leadingInt(b)
	switch {
	case oka && okb && na != nb:
		return cmp.Compare(na, nb)
	case oka != okb:
		if oka {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

func leadingInt(s string) (int, bool) {
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(s[:end])
	return n, err == nil
}

// readFactSQL maps each registered fact's table name to the SQL it was
// last computed with (none for a fact never computed).
func readFactSQL(ctx context.Context, db *sql.DB) (map[string]string, error) {
	rows, err := db.QueryContext(ctx, qFactSQL)
	if err != nil {
		return nil, fmt.Errorf("read facts: %w", err)
	}
	defer rows.Close()
	facts := map[string]string{}
	for rows.Next() {
		var table, text string
		if err := rows.Scan(&table, &text); err != nil {
			return nil, fmt.Errorf("read facts: %w", err)
		}
		facts[table] = text
	}
	return facts, rows.Err()
}

// readDefs reads the KPI versions in the report's order.
func (ds *dataset) readDefs(ctx context.Context, db *sql.DB) error {
	facts, err := readFactSQL(ctx, db)
	if err != nil {
		return err
	}
	counts := newSubjects(facts)
	rows, err := db.QueryContext(ctx, qKPIDefs)
	if err != nil {
		return fmt.Errorf("read kpis: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d kpiDef
		if err := rows.Scan(&d.ID, &d.Version, &d.Title, &d.Question, &d.Unit, &d.Kind, &d.Better, &d.Description, &d.SQL, &d.Path,
			&d.ComputedAt, &d.ComputedFrom, &d.ComputedTo, &d.Estimate); err != nil {
			return fmt.Errorf("read kpis: %w", err)
		}
		d.Counts = counts.of(d.SQL)
		ds.defs = append(ds.defs, d)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read kpis: %w", err)
	}
	return nil
}

func (ds *dataset) readRuns(ctx context.Context, db *sql.DB, runID int64) error {
	runs, err := store.Runs(ctx, db, 10)
	if err != nil {
		return err
	}
	for _, r := range runs {
		ds.runs = append(ds.runs, runInfo{r})
	}
	last, err := store.LatestSuccessfulRun(ctx, db)
	if err != nil {
		return err
	}
	ds.lastSuccess = view(last)
	ds.run = ds.lastSuccess
	if runID != 0 {
		// kpi run reports on itself as its last step, once its counts
		// are recorded.
		r, err := store.RunByID(ctx, db, runID)
		if err != nil {
			return err
		}
		ds.run = view(r)
	}
	return nil
}

func view(r *store.Run) *runInfo {
	if r == nil {
		return nil
	}
	return &runInfo{*r}
}

func (ds *dataset) readLoadedDays(ctx context.Context, db *sql.DB) (err error) {
	if ds.loadedDays, err = store.LoadedDays(ctx, db); err != nil {
		return err
	}
	ds.gaps, err = store.MissingRanges(ctx, db)
	return err
}

func (ds *dataset) readRejects(ctx context.Context, db *sql.DB) error {
	counts, err := store.RejectsByDay(ctx, db)
	if err != nil {
		return err
	}
	reasons := map[string]bool{}
	for _, c := range counts {
		if ds.rejects[c.Day] == nil {
			ds.rejects[c.Day] = map[string]int64{}
		}
		ds.rejects[c.Day][c.Reason] += c.N
		reasons[c.Reason] = true
	}
	for r := range reasons {
		ds.reasons = append(ds.reasons, r)
	}
	slices.Sort(ds.reasons)
	return nil
}

// queryAll runs a query and scans each row into a new T with scan; what
// names the read in errors.
func queryAll[T any](ctx context.Context, db *sql.DB, what, q string, args []any, scan func(*sql.Rows, *T) error) ([]T, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, fmt.Errorf("read %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	return out, nil
}

func (ds *dataset) readOthers(ctx context.Context, db *sql.DB) (err error) {
	if err := db.QueryRowContext(ctx, qSessionsRecent, otherWindowDays).Scan(&ds.recent); err != nil {
		return fmt.Errorf("read other values: %w", err)
	}
	ds.others, err = queryAll(ctx, db, "other values", qOtherValues, []any{otherWindowDays, 10}, func(rows *sql.Rows, o *otherValue) error {
		return rows.Scan(&o.Segmentation, &o.Raw, &o.N, &o.Total)
	})
	return err
}

// readUnknownEvents lists the event names outside the dialog's
// vocabulary (persona.EventNames and EventPatterns) and the configured
// flows' events.
func (ds *dataset) readUnknownEvents(ctx context.Context, db *sql.DB, cfg config.Config) (err error) {
	var flowEvents []string
	for _, steps := range cfg.Flows {
		for _, st := range steps {
			for _, e := range st.Events {
				if e != "" {
					flowEvents = append(flowEvents, persona.EventName(e))
				}
			}
		}
	}
	slices.Sort(flowEvents)
	args := []any{otherWindowDays, persona.VocabularyPattern(slices.Compact(flowEvents)...), 10}
	ds.unknownEvt, err = queryAll(ctx, db, "events", qUnknownEvents, args, func(rows *sql.Rows, e *eventCount) error {
		return rows.Scan(&e.Name, &e.N, &e.Sessions)
	})
	return err
}

// anyOf is an RE2 pattern matching exactly the names given.
func anyOf(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = regexp.QuoteMeta(n)
	}
	return strings.Join(quoted, "|")
}

// readServerTypes reads the census entries per day and type over the
// Other window, and the most frequent types outside persona's list.
func (ds *dataset) readServerTypes(ctx context.Context, db *sql.DB) (err error) {
	known := anyOf(persona.ServerEventTypes)
	ds.serverTypes, err = queryAll(ctx, db, "census types", qServerTypes, []any{known, otherWindowDays}, func(rows *sql.Rows, c *typeCount) error {
		err := rows.Scan(&c.Day, &c.Type, &c.N)
		c.Day = c.Day.UTC()
		return err
	})
	if err != nil {
		return err
	}
	ds.otherTypes, err = queryAll(ctx, db, "census types", qUnknownServerTypes, []any{otherWindowDays, known, 10}, func(rows *sql.Rows, c *typeTotal) error {
		return rows.Scan(&c.Type, &c.N)
	})
	return err
}

// maxRates is how many sample rates the health page tells apart; the
// others are counted together. Rates are set per user agent, a handful at
// a time.
const maxRates = 6

// readSampleRates reads the blobs per day, OS segment and sample rate
// over the Other window.
func (ds *dataset) readSampleRates(ctx context.Context, db *sql.DB) (err error) {
	ds.rates, err = queryAll(ctx, db, "sample rates", qSampleRates, []any{otherWindowDays, maxRates}, func(rows *sql.Rows, c *rateCount) error {
		err := rows.Scan(&c.Day, &c.OS, &c.Kind, &c.Rate, &c.N)
		c.Day = c.Day.UTC()
		return err
	})
	return err
}

package compute

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/persona-kpi/kpi/store"

	"github.com/persona-kpi/kpi/stats"
)

// The methods a header's "estimate:" field names: how the runner turns a
// query's rows into values (see Estimate).
const (
	EstimateSample    = "sample"
	EstimateCensus    = "census"
	EstimateTotal     = "total"
	EstimateRate      = "rate"
	EstimateMean      = "mean"
	EstimateQuantiles = "quantiles"
)

// Estimates are the methods a header may name.
var Estimates = []string{EstimateSample, EstimateCensus, EstimateTotal, EstimateRate, EstimateMean, EstimateQuantiles}

// Estimate says what a version's values are about and how they are made.
//
//   - sample (the default): the values describe the sampled blobs
//     themselves; the query returns them, and they have no interval.
//   - census: the values are exact counts of everything (the server's
//     census); the query returns them, and each is its own interval.
//   - total, rate, mean, quantiles: the values estimate the population of
//     dialog sessions from the sampled blobs. The query returns each row's
//     blobs added up by kpi_sums(w, y) (quantiles: one row per
//     observation, with its blob's weight w), and the runner makes each
//     row's value and 95% interval with package stats.
type Estimate struct {
	Method string
	// Steps names a quantiles estimate's steps (p50, p95) and Levels gives
	// their quantiles (0.5, 0.95), in the header's order.
	Steps  []string
	Levels []float64
}

// String is the estimate as a header writes it: "rate", "quantiles p50 p95".
func (e Estimate) String() string {
	if len(e.Steps) == 0 {
		return e.Method
	}
	return e.Method + " " + strings.Join(e.Steps, " ")
}

// fromBlobs says the query returns what the runner estimates from (sums
// of blobs, or observations) rather than the values themselves.
func (e Estimate) fromBlobs() bool {
	return e.Method != EstimateSample && e.Method != EstimateCensus
}

// columns are the columns the version's query returns.
func (e Estimate) columns() []column {
	switch {
	case e.Method == EstimateQuantiles:
		return observationColumns
	case e.fromBlobs():
		return sumsColumns
	}
	return resultColumns
}

// parseEstimate reads a header's estimate field; "" is the sample's.
func parseEstimate(s string) (Estimate, error) {
	words := strings.Fields(strings.ReplaceAll(s, ",", " "))
	if len(words) == 0 {
		return Estimate{Method: EstimateSample}, nil
	}
	e := Estimate{Method: words[0]}
	if !contains(Estimates, e.Method) {
		return e, fmt.Errorf("%q must be one of %s", e.Method, strings.Join(Estimates, ", "))
	}
	if e.Method != EstimateQuantiles {
		if len(words) > 1 {
			return e, fmt.Errorf("%q takes no steps: write %q", s, e.Method)
		}
		return e, nil
	}
	if len(words) == 1 {
		return e, errors.New(`quantiles needs its steps, e.g. "quantiles p50 p95"`)
	}
	for _, w := range words[1:] {
		// "99.9e-2" reads as the double nearest 0.999, where 99.9/100 does not.
		level, err := strconv.ParseFloat(strings.TrimPrefix(w, "p")+"e-2", 64)
		if !strings.HasPrefix(w, "p") || err != nil || !(level > 0 && level < 1) || contains(e.Steps, w) {
			return e, fmt.Errorf("quantile step %q must be p<percent>, the percent between 0 and 100 (p50, p95, p99.9), each once", w)
		}
		e.Steps = append(e.Steps, w)
		e.Levels = append(e.Levels, level)
	}
	return e, nil
}

// fits refuses an estimate that cannot make rows of the version's kind.
func (e Estimate) fits(kind string) error {
	ok := true
	switch e.Method {
	case EstimateRate:
		ok = kind == "timeseries" || kind == "shares"
	case EstimateMean:
		ok = kind == "timeseries"
	case EstimateTotal, EstimateCensus:
		ok = kind == "timeseries" || kind == "funnel"
	case EstimateQuantiles:
		ok = kind == "quantiles"
	}
	if !ok {
		return fmt.Errorf("a %s estimate does not make %s rows", e.Method, kind)
	}
	return nil
}

// sumsColumns are the columns a query of a total, rate or mean returns:
// one row per day, segment and step, its blobs added up by kpi_sums.
var sumsColumns = []column{
	{"day", "DATE"},
	{"segmentation", "VARCHAR"},
	{"segment", "VARCHAR"},
	{"step", "VARCHAR"},
	{"sums", sumsType},
}

// observationColumns are the columns a query of quantiles returns: one row
// per observation, with its blob's weight.
var observationColumns = []column{
	{"day", "DATE"},
	{"segmentation", "VARCHAR"},
	{"segment", "VARCHAR"},
	{"step", "VARCHAR"},
	{"w", "DOUBLE"},
	{"y", "DOUBLE"},
}

// sumsMacro is kpi_sums(w, y), the aggregate a total, rate or mean query
// computes over each row's blobs: the stats.Sums of blobs of weight w and
// value y, and what the runner checks them with (blobs whose weight is not
// positive or whose value is not finite, and the smallest and largest
// value, which a rate needs between 0 and 1).
const sumsMacro = `CREATE OR REPLACE TEMP MACRO kpi_sums(w, y) AS {
	'n': count(*),
	'y': sum((y)::DOUBLE),
	'wy': sum((w)::DOUBLE * (y)),
	'w': sum((w)::DOUBLE),
	'w2': sum((w)::DOUBLE * (w)),
	'w2y': sum((w)::DOUBLE * (w) * (y)),
	'w2y2': sum((w)::DOUBLE * (w) * (y) * (y)),
	'wy2': sum((w)::DOUBLE * (y) * (y)),
	'bad': count(*) FILTER (WHERE NOT coalesce(isfinite((w)::DOUBLE) AND (w) > 0 AND isfinite((y)::DOUBLE), false)),
	'ymin': min((y)::DOUBLE),
	'ymax': max((y)::DOUBLE)}`

// sumsAddMacro is kpi_sums_add(sums), the aggregate adding up kpi_sums
// of disjoint sets of blobs into the kpi_sums of their union, so that a
// query can sum blobs in two steps: the shares of a distribution group
// the blobs once by category, then add every category's sums, with y = 1
// for its own, instead of grouping every blob once per category.
const sumsAddMacro = `CREATE OR REPLACE TEMP MACRO kpi_sums_add(s) AS {
	'n': sum((s).n)::BIGINT,
	'y': sum((s).y),
	'wy': sum((s).wy),
	'w': sum((s).w),
	'w2': sum((s).w2),
	'w2y': sum((s).w2y),
	'w2y2': sum((s).w2y2),
	'wy2': sum((s).wy2),
	'bad': sum((s).bad)::BIGINT,
	'ymin': min((s).ymin),
	'ymax': max((s).ymax)}`

// sumsType is the type of kpi_sums, as DESCRIBE shows it.
const sumsType = "STRUCT(n BIGINT, y DOUBLE, wy DOUBLE, w DOUBLE, w2 DOUBLE, w2y DOUBLE, w2y2 DOUBLE, wy2 DOUBLE, bad BIGINT, ymin DOUBLE, ymax DOUBLE)"

// outColumns is kpi_out, the rows a version writes to kpi_results after
// kpi and version.
const outColumns = `day DATE, segmentation VARCHAR, segment VARCHAR, step VARCHAR,
	value DOUBLE, numerator DOUBLE, denominator DOUBLE, lo DOUBLE, hi DOUBLE, n BIGINT,
	s_blobs DOUBLE, s_y DOUBLE, s_wy DOUBLE, s_w DOUBLE, s_w2 DOUBLE, s_w2y DOUBLE, s_w2y2 DOUBLE, s_wy2 DOUBLE`

// materialize runs the version's query over the chunk into the temp table
// kpi_out, estimating where its header says so.
func materialize(ctx context.Context, conn *sql.Conn, tx *sql.Tx, d Definition) error {
	var q string
	switch d.Estimate.Method {
	case EstimateSample:
		q = `SELECT day, segmentation, segment, step, value, numerator, denominator,
			NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM (` + wrapped(d.SQL) + `)`
	case EstimateCensus:
		// Every entry is counted: the value is its own interval, and the
		// entries behind it are the count itself.
		q = `SELECT day, segmentation, segment, step, value, numerator, denominator,
			value, value, round(coalesce(denominator, value)), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM (` + wrapped(d.SQL) + `)`
	}
	if _, err := tx.ExecContext(ctx, "CREATE OR REPLACE TEMP TABLE kpi_out ("+outColumns+")"); err != nil {
		return err
	}
	if q != "" {
		_, err := tx.ExecContext(ctx, "INSERT INTO kpi_out "+q)
		return err
	}
	var rows [][]driver.Value
	var err error
	if d.Estimate.Method == EstimateQuantiles {
		rows, err = estimateQuantiles(ctx, tx, d)
	} else {
		rows, err = estimateSums(ctx, tx, d)
	}
	if err != nil {
		return err
	}
	// The appender writes in the transaction open on conn.
	return store.AppendRows(conn, "kpi_out", rows)
}

// badBlobs is the error for n rows no estimate can use.
func badBlobs(d Definition, n int64) error {
	file := strings.TrimPrefix(d.Path, SourceDir+"/")
	return defErr(file, fmt.Errorf("%d blobs lack a positive weight w (kpi_blobs.weight) or a finite value y", n))
}

// estimateSums estimates each of the query's rows from its kpi_sums: a
// total, rate or mean.
func estimateSums(ctx context.Context, tx *sql.Tx, d Definition) ([][]driver.Value, error) {
	res, err := tx.QueryContext(ctx, `SELECT day, segmentation, segment, step, sums.bad, sums.ymin, sums.ymax,
			sums.n, sums.y, sums.wy, sums.w, sums.w2, sums.w2y, sums.w2y2, sums.wy2
		FROM (`+wrapped(d.SQL)+`)`)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	var out [][]driver.Value
	for res.Next() {
		var day sql.NullTime
		var seg, segment, step sql.NullString
		var bad sql.NullInt64
		var ymin, ymax sql.NullFloat64
		var s stats.Sums
		var sums [8]sql.NullFloat64 // NULL when the query summed no blob
		if err := res.Scan(&day, &seg, &segment, &step, &bad, &ymin, &ymax,
			&sums[0], &sums[1], &sums[2], &sums[3], &sums[4], &sums[5], &sums[6], &sums[7]); err != nil {
			return nil, err
		}
		if bad.Int64 > 0 {
			return nil, badBlobs(d, bad.Int64)
		}
		if d.Estimate.Method == EstimateRate && (ymin.Float64 < 0 || ymax.Float64 > 1) {
			file := strings.TrimPrefix(d.Path, SourceDir+"/")
			return nil, defErr(file, fmt.Errorf("a rate's y is 1 for a blob in the numerator and 0 for one that is not, but %s %s has y from %g to %g",
				day.Time.Format(time.DateOnly), seg.String+"/"+segment.String, ymin.Float64, ymax.Float64))
		}
		for i, f := range []*float64{&s.N, &s.Y, &s.Num, &s.Den, &s.W2, &s.W2Y, &s.W2Y2, &s.WY2} {
			*f = sums[i].Float64
		}
		if s.N == 0 {
			continue // a group of no blobs measures nothing
		}
		var iv stats.Interval
		num, den := any(s.Num), any(s.Den)
		n := s.N
		switch d.Estimate.Method {
		case EstimateTotal:
			// The sampled blobs that count, and no denominator: a total of
			// a range of days is the sum of its days'.
			iv, den, n = stats.Total(s), nil, s.Y
		case EstimateRate:
			iv = stats.Rate(s)
		case EstimateMean:
			iv = stats.Mean(s)
		}
		if math.IsNaN(iv.Value) {
			continue
		}
		out = append(out, []driver.Value{nullTime(day), nullString(seg), nullString(segment), nullString(step),
			iv.Value, num, den, end(iv.Lo), end(iv.Hi), int64(math.Round(n)),
			s.N, s.Y, s.Num, s.Den, s.W2, s.W2Y, s.W2Y2, s.WY2})
	}
	return out, res.Err()
}

// estimateQuantiles reads the query's observations grouped by value, one
// row per day, segment and step holding its values in order (lists: a
// row per value would cost more to scan than to compute), and estimates
// each header step's quantile per day and segment. Only the distinct
// values of one day and segment are held at a time.
func estimateQuantiles(ctx context.Context, tx *sql.Tx, d Definition) ([][]driver.Value, error) {
	res, err := tx.QueryContext(ctx, `SELECT day, segmentation, segment, step, sum(bad),
			list(y ORDER BY y), list(n ORDER BY y), list(w ORDER BY y), list(w2 ORDER BY y)
		FROM (
			SELECT day, segmentation, segment, step, y::DOUBLE AS y,
				count(*) FILTER (WHERE NOT coalesce(isfinite(w) AND w > 0 AND isfinite(y), false)) AS bad,
				count(*)::DOUBLE AS n, sum(w)::DOUBLE AS w, sum(w*w)::DOUBLE AS w2
			FROM (`+wrapped(d.SQL)+`) GROUP BY ALL
		)
		GROUP BY ALL ORDER BY day, segmentation, segment, step`)
	if err != nil {
		return nil, err
	}
	defer res.Close()
	var out [][]driver.Value
	var points []stats.Point
	for res.Next() {
		var day sql.NullTime
		var seg, segment, step sql.NullString
		var bad float64
		var ys, ns, ws, w2s []any
		if err := res.Scan(&day, &seg, &segment, &step, &bad, &ys, &ns, &ws, &w2s); err != nil {
			return nil, err
		}
		if bad > 0 {
			return nil, badBlobs(d, int64(bad))
		}
		if step.String != "" {
			file := strings.TrimPrefix(d.Path, SourceDir+"/")
			return nil, defErr(file, fmt.Errorf("rows have step %q: the observations of a quantiles estimate have step '' (the header names the steps)", step.String))
		}
		points = points[:0]
		var n, w, w2 float64
		for i := range ys {
			p := stats.Point{Value: ys[i].(float64), Count: ns[i].(float64), W: ws[i].(float64), W2: w2s[i].(float64)}
			points = append(points, p)
			n, w, w2 = n+p.Count, w+p.W, w2+p.W2
		}
		for i, name := range d.Estimate.Steps {
			iv := stats.QuantilePoints(points, d.Estimate.Levels[i])
			out = append(out, []driver.Value{nullTime(day), nullString(seg), nullString(segment), name,
				iv.Value, nil, n, end(iv.Lo), end(iv.Hi), int64(n),
				n, nil, nil, w, w2, nil, nil, nil})
		}
	}
	return out, res.Err()
}

// wrapped is a query as a subquery's text: on lines of its own, so that
// a query ending in a line comment does not comment out what follows.
func wrapped(query string) string { return "\n" + query + "\n" }

// end is an interval's end as stored: NULL where there is none.
func end(x float64) driver.Value {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return x
}

func nullTime(t sql.NullTime) driver.Value {
	if !t.Valid {
		return nil
	}
	return t.Time
}

func nullString(s sql.NullString) driver.Value {
	if !s.Valid {
		return nil
	}
	return s.String
}

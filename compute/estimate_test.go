package compute

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/stats"
)

// estimateFile is a definition estimating from the blobs a query lists.
func estimateFile(id, kind, estimate, query string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(fmt.Sprintf(`-- id: %s
-- version: 1
-- title: Test estimate
-- question: Does it estimate?
-- unit: count
-- kind: %s
-- order: 7
-- better: higher
-- segmentations: Total, OS
-- estimate: %s
-- description: Estimates from listed blobs.

%s
`, id, kind, estimate, query))}
}

// listed returns a query of one row per listed blob of 2024-03-01 (Total)
// and, for the other rows, 2024-03-02: (w, y) pairs.
func listed(step string, blobs ...[2]float64) string {
	q := "SELECT d.day, 'Total' AS segmentation, 'Total' AS segment, '" + step + "' AS step, d.w, d.y FROM kpi_range r, (VALUES "
	for i, b := range blobs {
		if i > 0 {
			q += ", "
		}
		q += fmt.Sprintf("(DATE '2024-03-01', %v::DOUBLE, %v::DOUBLE)", b[0], b[1])
	}
	return q + ") d(day, w, y) WHERE d.day BETWEEN r.from_day AND r.to_day"
}

// summed adds up a query's blobs per day, segment and step with kpi_sums.
func summed(q string) string {
	return "SELECT day, segmentation, segment, step, kpi_sums(w, y) AS sums FROM (" + q + ") GROUP BY ALL"
}

// estimated is a kpi_results row with its interval and sums.
type estimated struct {
	value, lo, hi    sql.NullFloat64
	numerator, denom sql.NullFloat64
	n                sql.NullInt64
	sums             stats.Sums
	step             string
}

func estimates(t *testing.T, db *sql.DB, kpi string) []estimated {
	t.Helper()
	rows, err := db.Query(`SELECT step, value, lo, hi, numerator, denominator, n,
			coalesce(s_blobs, 0), coalesce(s_y, 0), coalesce(s_wy, 0), coalesce(s_w, 0), coalesce(s_w2, 0),
			coalesce(s_w2y, 0), coalesce(s_w2y2, 0), coalesce(s_wy2, 0)
		FROM kpi_results WHERE kpi = ? ORDER BY day, segmentation, segment, step`, kpi)
	require.NoError(t, err)
	defer rows.Close()
	var out []estimated
	for rows.Next() {
		var e estimated
		s := &e.sums
		require.NoError(t, rows.Scan(&e.step, &e.value, &e.lo, &e.hi, &e.numerator, &e.denom, &e.n,
			&s.N, &s.Y, &s.Num, &s.Den, &s.W2, &s.W2Y, &s.W2Y2, &s.WY2))
		out = append(out, e)
	}
	require.NoError(t, rows.Err())
	return out
}

func TestEstimatesFromBlobs(t *testing.T) {
	db := threeDays(t)
	// Three blobs: weights 10, 2, 2; two of them count.
	blobs := [][2]float64{{10, 1}, {2, 1}, {2, 0}}
	defs := fstest.MapFS{
		"total/v1.sql": estimateFile("total", "timeseries", "total", summed(listed("", blobs...))),
		"rate/v1.sql":  estimateFile("rate", "timeseries", "rate", summed(listed("", blobs...))),
		"mean/v1.sql":  estimateFile("mean", "timeseries", "mean", summed(listed("", [2]float64{10, 3}, [2]float64{2, 1}, [2]float64{2, 0}))),
	}
	_, err := Compute(context.Background(), db.DB, defs, opts())
	require.NoError(t, err)

	// Total: Σ w·y = 12 new users, variance Σ w·(w−1)·y² = 90 + 2 = 92,
	// 12 ± 1.96·√92 = 12 ± 18.8, its lower end raised to the 2 sampled.
	total := estimates(t, db.DB, "total")
	require.Len(t, total, 1)
	assert.Equal(t, 12.0, total[0].value.Float64)
	assert.Equal(t, 2.0, total[0].lo.Float64)
	assert.InDelta(t, 12+1.959964*math.Sqrt(92), total[0].hi.Float64, 1e-4)
	assert.Equal(t, int64(2), total[0].n.Int64, "n of a total is the sampled blobs that count")
	assert.Equal(t, 12.0, total[0].numerator.Float64)
	assert.False(t, total[0].denom.Valid)
	assert.Equal(t, stats.Sums{N: 3, Y: 2, Num: 12, Den: 14, W2: 108, W2Y: 104, W2Y2: 104, WY2: 12}, total[0].sums)

	// Rate: 12 of 14 weighted sessions; its interval is stats.Rate's.
	rate := estimates(t, db.DB, "rate")
	require.Len(t, rate, 1)
	want := stats.Rate(total[0].sums)
	assert.InDelta(t, 12.0/14, rate[0].value.Float64, 1e-12)
	assert.InDelta(t, want.Lo, rate[0].lo.Float64, 1e-12)
	assert.InDelta(t, want.Hi, rate[0].hi.Float64, 1e-12)
	assert.Equal(t, int64(3), rate[0].n.Int64, "n of a rate is its denominator's blobs")
	assert.Equal(t, 14.0, rate[0].denom.Float64)

	// Mean: (30 + 2 + 0) / 14 sites per weighted session.
	mean := estimates(t, db.DB, "mean")
	require.Len(t, mean, 1)
	assert.InDelta(t, 32.0/14, mean[0].value.Float64, 1e-12)
	assert.Less(t, mean[0].lo.Float64, mean[0].value.Float64)
	assert.Greater(t, mean[0].hi.Float64, mean[0].value.Float64)

	var method string
	require.NoError(t, db.QueryRow(`SELECT estimate FROM kpis WHERE kpi = 'rate'`).Scan(&method))
	assert.Equal(t, "rate", method)
}

// inTwoSteps adds up a query's blobs per day, segment and step in two
// steps: kpi_sums over the blobs of weight above 5 and over the others,
// then kpi_sums_add over the two.
func inTwoSteps(q string) string {
	return `SELECT day, segmentation, segment, step, kpi_sums_add(part) AS sums FROM (
		SELECT day, segmentation, segment, step, w > 5 AS heavy, kpi_sums(w, y) AS part FROM (` + q + `) GROUP BY ALL)
		GROUP BY day, segmentation, segment, step`
}

func TestSumsAddAddsPartialSums(t *testing.T) {
	db := threeDays(t)
	blobs := [][2]float64{{10, 3}, {2, 1}, {2, 0}, {10, 0}, {1, 2}}
	defs := fstest.MapFS{
		"once/v1.sql": estimateFile("once", "timeseries", "mean", summed(listed("", blobs...))),
		"two/v1.sql":  estimateFile("two", "timeseries", "mean", inTwoSteps(listed("", blobs...))),
	}
	_, err := Compute(context.Background(), db.DB, defs, opts())
	require.NoError(t, err)
	once, two := estimates(t, db.DB, "once"), estimates(t, db.DB, "two")
	require.Len(t, two, 1)
	assert.Equal(t, stats.Sums{N: 5, Y: 6, Num: 34, Den: 25, W2: 209, W2Y: 306, W2Y2: 908, WY2: 96}, two[0].sums,
		"whole numbers add up exactly in any order")
	assert.Equal(t, once, two)

	// A blob the runner refuses is refused in a part too.
	_, err = Compute(context.Background(), db.DB, fstest.MapFS{"k/v1.sql": estimateFile("k", "timeseries", "total",
		inTwoSteps(listed("", [2]float64{10, 1}, [2]float64{0, 1})))}, opts())
	require.ErrorIs(t, err, ErrDefinition)
	assert.Contains(t, err.Error(), "1 blobs lack a positive weight w")
}

func TestEstimateOfAWholeRangeAddsItsDaysSums(t *testing.T) {
	db := threeDays(t)
	// Every loaded blob counts once per segment, weight 2 on Linux, 5
	// elsewhere; OS segments and Total.
	q := `SELECT day, segmentation, segment, '' AS step, kpi_sums(CASE WHEN os = 'Linux' THEN 2 ELSE 5 END, 1) AS sums
		FROM kpi_segments WHERE segmentation IN ('Total', 'OS') GROUP BY ALL`
	_, err := Compute(context.Background(), db.DB, fstest.MapFS{"k/v1.sql": estimateFile("k", "timeseries", "total", q)}, opts())
	require.NoError(t, err)
	var days int
	var sum stats.Sums
	require.NoError(t, db.QueryRow(`SELECT count(*), sum(s_blobs), sum(s_y), sum(s_wy), sum(s_w), sum(s_w2), sum(s_w2y), sum(s_w2y2), sum(s_wy2)
		FROM kpi_results WHERE kpi = 'k' AND segmentation = 'Total'`).Scan(&days, &sum.N, &sum.Y, &sum.Num, &sum.Den, &sum.W2, &sum.W2Y, &sum.W2Y2, &sum.WY2))
	assert.Equal(t, 3, days)
	// Six blobs: four on Linux (2 each), two elsewhere (5 each).
	var whole stats.Sums
	for _, w := range []float64{2, 2, 2, 2, 5, 5} {
		whole = whole.Add(stats.Blob(w, 1))
	}
	assert.Equal(t, whole, sum)
	assert.Equal(t, stats.Total(whole).Value, 18.0)
}

func TestQuantileEstimate(t *testing.T) {
	db := threeDays(t)
	// Twenty observations 1..20 of weight 1 and ten of 30 (weight 1 too):
	// the weighted median of 30 equal weights is the 15th value, 15.
	var obs [][2]float64
	for v := 1; v <= 20; v++ {
		obs = append(obs, [2]float64{1, float64(v)})
	}
	for range 10 {
		obs = append(obs, [2]float64{1, 30})
	}
	defs := fstest.MapFS{"q/v1.sql": estimateFile("q", "quantiles", "quantiles p50 p95", listed("", obs...))}
	_, err := Compute(context.Background(), db.DB, defs, opts())
	require.NoError(t, err)
	got := estimates(t, db.DB, "q")
	require.Len(t, got, 2)
	values := make([]float64, len(obs))
	weights := make([]float64, len(obs))
	for i, o := range obs {
		weights[i], values[i] = o[0], o[1]
	}
	for i, step := range []string{"p50", "p95"} {
		want := stats.Quantile(values, weights, []float64{0.5, 0.95}[i])
		assert.Equal(t, step, got[i].step)
		assert.Equal(t, want.Value, got[i].value.Float64, step)
		assert.Equal(t, want.Bounded(), got[i].lo.Valid, step)
		if want.Bounded() {
			assert.Equal(t, want.Lo, got[i].lo.Float64, step)
			assert.Equal(t, want.Hi, got[i].hi.Float64, step)
		}
		assert.Equal(t, int64(30), got[i].n.Int64)
	}
	assert.Equal(t, 15.0, got[0].value.Float64)
}

func TestCensusIsItsOwnInterval(t *testing.T) {
	db := threeDays(t)
	defs := fstest.MapFS{"c/v1.sql": estimateFile("c", "timeseries", "census", countQuery)}
	_, err := Compute(context.Background(), db.DB, defs, opts())
	require.NoError(t, err)
	for _, e := range estimates(t, db.DB, "c") {
		assert.Equal(t, e.value, e.lo)
		assert.Equal(t, e.value, e.hi)
		assert.Equal(t, int64(e.value.Float64), e.n.Int64)
	}
}

func TestSampleVersionsHaveNoInterval(t *testing.T) {
	db := threeDays(t)
	_, err := Compute(context.Background(), db.DB, fstest.MapFS{"k/v1.sql": defFile("k", 1, countQuery)}, opts())
	require.NoError(t, err)
	for _, e := range estimates(t, db.DB, "k") {
		assert.False(t, e.lo.Valid)
		assert.False(t, e.hi.Valid)
		assert.False(t, e.n.Valid)
	}
}

func TestEstimateRefusesBadBlobs(t *testing.T) {
	for name, c := range map[string]struct {
		kind, estimate, query, want string
	}{
		"zero weight":     {"timeseries", "total", summed(listed("", [2]float64{0, 1}, [2]float64{1, 1})), "1 blobs lack a positive weight w"},
		"rate above one":  {"timeseries", "rate", summed(listed("", [2]float64{1, 2}, [2]float64{1, 1})), "a rate's y is 1 for a blob in the numerator and 0 for one that is not"},
		"quantile weight": {"quantiles", "quantiles p50", listed("", [2]float64{-1, 2}), "1 blobs lack a positive weight"},
		"quantile step":   {"quantiles", "quantiles p50", listed("p50", [2]float64{1, 2}), "the observations of a quantiles estimate have step ''"},
		"values given":    {"timeseries", "rate", countQuery, "it must return exactly (day DATE, segmentation VARCHAR, segment VARCHAR, step VARCHAR, sums STRUCT("},
		"blobs given":     {"timeseries", "total", listed("", [2]float64{1, 1}), "sums is kpi_sums(w, y) over the row's blobs"},
	} {
		t.Run(name, func(t *testing.T) {
			db := threeDays(t)
			_, err := Compute(context.Background(), db.DB, fstest.MapFS{"k/v1.sql": estimateFile("k", c.kind, c.estimate, c.query)}, opts())
			require.ErrorIs(t, err, ErrDefinition)
			assert.Contains(t, err.Error(), "sql/kpis/k/v1.sql")
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

func TestEstimateHeader(t *testing.T) {
	for estimate, want := range map[string]string{
		"guess":             `header estimate: "guess" must be one of sample, census, total, rate, mean, quantiles`,
		"rate p50":          `takes no steps`,
		"quantiles":         `quantiles needs its steps`,
		"quantiles p50 p50": `each once`,
		"quantiles p100":    `between 0 and 100`,
		"quantiles median":  `must be p<percent>`,
		"mean":              "", // fits a timeseries
	} {
		_, err := LoadDefinitions(fstest.MapFS{"k/v1.sql": estimateFile("k", "timeseries", estimate, "SELECT 1")})
		if want == "" {
			assert.NoError(t, err, estimate)
			continue
		}
		require.Error(t, err, estimate)
		assert.Contains(t, err.Error(), want, estimate)
	}
	_, err := LoadDefinitions(fstest.MapFS{"k/v1.sql": estimateFile("k", "funnel", "rate", "SELECT 1")})
	assert.ErrorContains(t, err, "a rate estimate does not make funnel rows")
	_, err = LoadDefinitions(fstest.MapFS{"k/v1.sql": estimateFile("k", "shares", "rate", "SELECT 1")})
	assert.NoError(t, err, "a distribution's shares are rates")
	_, err = LoadDefinitions(fstest.MapFS{"k/v1.sql": estimateFile("k", "timeseries", "quantiles p50", "SELECT 1")})
	assert.ErrorContains(t, err, "a quantiles estimate does not make timeseries rows")

	ds, err := LoadDefinitions(fstest.MapFS{"k/v1.sql": estimateFile("k", "quantiles", "quantiles p50, p99.9", "SELECT 1")})
	require.NoError(t, err)
	assert.Equal(t, []float64{0.5, 0.999}, ds[0].Estimate.Levels)
	assert.Equal(t, "quantiles p50 p99.9", ds[0].Estimate.String())
}

func TestChangingTheEstimateIsAChange(t *testing.T) {
	db := threeDays(t)
	q := summed(listed("", [2]float64{2, 1}))
	_, err := Compute(context.Background(), db.DB, fstest.MapFS{"k/v1.sql": estimateFile("k", "timeseries", "total", q)}, opts())
	require.NoError(t, err)
	_, err = Compute(context.Background(), db.DB, fstest.MapFS{"k/v1.sql": estimateFile("k", "timeseries", "rate", q)}, opts())
	assert.ErrorIs(t, err, ErrChanged)
}

func TestBlobWeightIsStatsWeight(t *testing.T) {
	db := openDB(t)
	for _, rate := range []float64{0.5, 1, 0.1, 0, -1, 1.5, math.NaN()} {
		var got float64
		require.NoError(t, db.QueryRow(`SELECT `+weightSQL+` FROM (SELECT ?::DOUBLE AS sample_rate)`, rate).Scan(&got))
		assert.Equal(t, stats.Weight(rate), got, "sample_rate %v", rate)
	}
	var got float64
	require.NoError(t, db.QueryRow(`SELECT `+weightSQL+` FROM (SELECT NULL::DOUBLE AS sample_rate)`).Scan(&got))
	assert.Equal(t, 1.0, got, "missing sample_rate")
}

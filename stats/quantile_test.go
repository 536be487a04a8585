package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// count returns the values 1..n, each with weight w.
func count(n int, w float64) (values, weights []float64) {
	for i := 1; i <= n; i++ {
		values = append(values, float64(i))
		weights = append(weights, w)
	}
	return values, weights
}

func TestQuantileWithEqualWeightsUsesTheClassicalRanks(t *testing.T) {
	// 1..20, median: q·n = 10, so the 10th value, 10.
	// Ranks 10 ± 1.96·√(20·0.25) = 10 ± 4.383: ⌊5.617⌋ = 5 and
	// ⌈14.383⌉ = 15, so [5, 15].
	v, w := count(20, 1)
	assert.Equal(t, Interval{10, 5, 15}, Quantile(v, w, 0.5))
	// Any common weight gives the same.
	v, w = count(20, 7)
	assert.Equal(t, Interval{10, 5, 15}, Quantile(v, w, 0.5))

	// 1..100, 90th percentile: the 90th value. Ranks
	// 90 ± 1.96·√(100·0.09) = 90 ± 5.88: 84 and 96.
	v, w = count(100, 1)
	assert.Equal(t, Interval{90, 84, 96}, Quantile(v, w, 0.9))
}

func TestQuantileWeightedByHand(t *testing.T) {
	// 1..10 with weight 1 and 11..20 with weight 3: W = 40, Σw² = 100.
	// Median: q·W = 20, and the running weight 10, 13, 16, 19, 22 reaches
	// it at 14. At or below 14: 14 values, weight 22 (p = 0.55), Σw² = 46;
	// Var = (46·0.45² + 54·0.55²) / 40² = 25.65/1600 = 0.0160313, and the
	// design effective size 0.2475/0.0160313 = 15.439 (Kish's is 16; only
	// 6 values lie above, too few to go above Kish's, but it is below).
	// Shares 0.5 ± 1.96·√(0.25/15.439) = 0.5 ± 0.24941; as weights
	// 10.024 and 29.976: the last value with running weight ≤ 10.024 is
	// 10, the first reaching 29.976 is 17 (running weight 31).
	var v, w []float64
	for i := 1; i <= 20; i++ {
		v = append(v, float64(i))
		w = append(w, map[bool]float64{true: 1, false: 3}[i <= 10])
	}
	assert.Equal(t, Interval{14, 10, 17}, Quantile(v, w, 0.5))
}

func TestQuantileNeedsEnoughObservationsForAnInterval(t *testing.T) {
	// The median of 7: ranks 3.5 ± 2.593, the lower one below 1.
	v, w := count(7, 1)
	iv := Quantile(v, w, 0.5)
	assert.Equal(t, 4.0, iv.Value)
	assert.False(t, iv.Bounded())
	// Of 8: ranks 4 ± 2.772: ⌊1.228⌋ = 1, ⌈6.772⌉ = 7.
	v, w = count(8, 1)
	assert.Equal(t, Interval{4, 1, 7}, Quantile(v, w, 0.5))

	// The 95th percentile needs 73: 0.95 + 1.96·√(0.0475/72) > 1.
	v, w = count(72, 1)
	assert.False(t, Quantile(v, w, 0.95).Bounded())
	v, w = count(73, 1)
	assert.True(t, Quantile(v, w, 0.95).Bounded())
}

func TestQuantileOfEqualValues(t *testing.T) {
	// All at or below the median: no variance to read a size from, so
	// Kish's: 10 weights of 10 and 10 of 2 are 120²/1,040 = 13.8 blobs,
	// enough for an interval (shares 0.5 ± 0.264), and it is the value.
	var v, w []float64
	for i := range 20 {
		v = append(v, 5)
		w = append(w, []float64{10, 2}[i%2])
	}
	assert.Equal(t, Interval{5, 5, 5}, Quantile(v, w, 0.5))
	// Six are too few: 36²/312 = 4.2 blobs, shares 0.5 ± 0.481, and the
	// first observation, at the ties' mean weight 6 of 36, is above the
	// lower share. The order the ties come in does not matter.
	assert.False(t, Quantile(v[:6], w[:6], 0.5).Bounded())
	assert.Equal(t, Quantile(v[:10], w[:10], 0.5), Quantile(v[:10], append([]float64{2}, w[:9]...), 0.5))
}

func TestQuantileEnds(t *testing.T) {
	v, w := count(10, 1)
	for q, want := range map[float64]float64{0: 1, 1: 10} {
		iv := Quantile(v, w, q)
		assert.Equal(t, want, iv.Value, "q = %v", q)
		assert.False(t, iv.Bounded(), "q = %v", q)
	}
}

func TestQuantileLeavesOutWeightsThatAreNotPositive(t *testing.T) {
	v, w := count(20, 1)
	v = append([]float64{-5, 0}, append(v, 100)...)
	w = append([]float64{0, -1}, append(w, math.NaN())...)
	assert.Equal(t, Interval{10, 5, 15}, Quantile(v, w, 0.5))
}

func TestQuantileUndefined(t *testing.T) {
	v, w := count(10, 1)
	for _, iv := range []Interval{
		Quantile(nil, nil, 0.5),
		Quantile(v, make([]float64, 10), 0.5),
		Quantile(v, w, -0.1),
		Quantile(v, w, 1.1),
		Quantile(v, w, math.NaN()),
	} {
		assert.True(t, math.IsNaN(iv.Value), "%+v", iv)
	}
}

func TestQuantileRefusesMistakes(t *testing.T) {
	assert.Panics(t, func() { Quantile([]float64{1, 2}, []float64{1}, 0.5) })
	assert.Panics(t, func() { Quantile([]float64{2, 1}, []float64{1, 1}, 0.5) })
	assert.Panics(t, func() { Quantile([]float64{1, math.NaN(), 3}, []float64{1, 1, 1}, 0.5) })
}

func TestQuantilePointsAreQuantileOfTheirObservations(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var values, weights []float64
		var points []Point
		for v := 1.0; v <= 40; v++ {
			k := rng.IntN(4) // some values are not observed
			if k == 0 {
				continue
			}
			w := []float64{1, 2, 10}[rng.IntN(3)] // one weight per value, so tie order cannot matter
			points = append(points, Point{Value: v, Count: float64(k), W: float64(k) * w, W2: float64(k) * w * w})
			for range k {
				values = append(values, v)
				weights = append(weights, w)
			}
		}
		for _, q := range []float64{0.25, 0.5, 0.95} {
			want, got := Quantile(values, weights, q), QuantilePoints(points, q)
			assert.Equal(t, want.Value, got.Value)
			if want.Bounded() || got.Bounded() {
				assert.Equal(t, want, got)
			}
		}
	}
}

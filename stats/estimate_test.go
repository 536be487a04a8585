package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// blobs returns the Sums of n blobs of weight w, k of them with y = 1 and
// the others with y = 0.
func blobs(n, k int, w float64) Sums {
	var s Sums
	for i := range n {
		y := 0.0
		if i < k {
			y = 1
		}
		s = s.Add(Blob(w, y))
	}
	return s
}

// values returns the Sums of blobs of weight w with the given values.
func values(w float64, ys ...float64) Sums {
	var s Sums
	for _, y := range ys {
		s = s.Add(Blob(w, y))
	}
	return s
}

// assertInterval checks an interval to the given number of decimals.
func assertInterval(t *testing.T, want, got Interval, delta float64) {
	t.Helper()
	assert.InDelta(t, want.Value, got.Value, delta, "value of %+v", got)
	assert.InDelta(t, want.Lo, got.Lo, delta, "low end of %+v", got)
	assert.InDelta(t, want.Hi, got.Hi, delta, "high end of %+v", got)
}

func TestWeightIsTheInverseRateOrOne(t *testing.T) {
	for rate, want := range map[float64]float64{
		0.1: 10, 0.5: 2, 1: 1, 0.7: 1 / 0.7,
		0: 1, -0.5: 1, 1.5: 1, math.NaN(): 1, math.Inf(1): 1,
	} {
		assert.Equal(t, want, Weight(rate), "rate %v", rate)
	}
}

func TestBlobsAddUpFieldByField(t *testing.T) {
	assert.Equal(t, Sums{N: 1, Y: 3, Num: 30, Den: 10, W2: 100, W2Y: 300, W2Y2: 900, WY2: 90}, Blob(10, 3))
	got := Blob(10, 3).Add(Blob(2, 1))
	assert.Equal(t, Sums{N: 2, Y: 4, Num: 32, Den: 12, W2: 104, W2Y: 304, W2Y2: 904, WY2: 92}, got)
	assert.Equal(t, got, got.Add(Sums{}), "the empty Sums adds nothing")
}

func TestTotalByHand(t *testing.T) {
	// Weights 10, 10, 2 and y = 1, 1, 0:
	// T = 10 + 10 = 20; Var = Σ w(w−1)y² = 90 + 90 + 0 = 180;
	// Z·√180 = 1.96 · 13.4164 = 26.2957, so 20 ± 26.2957 = [−6.30, 46.30],
	// and the lower end rises to the 2 sampled blobs that count.
	s := Blob(10, 1).Add(Blob(10, 1)).Add(Blob(2, 0))
	assert.Equal(t, 180.0, s.W2Y2-s.WY2)
	assertInterval(t, Interval{20, 2, 46.2957}, Total(s), 1e-4)
}

func TestTotalDocumentedExample(t *testing.T) {
	// docs/data.md §2.5.2: 400 desktop blobs (w = 10) and 200 phone blobs
	// (w = 2): T = 4,400, Var = 400·90 + 200·2 = 36,400, √Var = 190.79,
	// Z·√Var = 373.94: [4,026.06, 4,773.94].
	s := blobs(400, 400, 10).Add(blobs(200, 200, 2))
	assertInterval(t, Interval{4400, 4026.06, 4773.94}, Total(s), 0.01)
}

func TestTotalOfACensusIsExact(t *testing.T) {
	iv := Total(blobs(600, 250, 1))
	assert.Equal(t, Interval{250, 250, 250}, iv)
	assert.Equal(t, Census(250), iv)
}

func TestTotalOfNothingIsZero(t *testing.T) {
	assert.Equal(t, Interval{0, 0, 0}, Total(Sums{}))
	assert.Equal(t, Interval{0, 0, 0}, Total(blobs(50, 0, 10)), "blobs looked at, none counted")
}

func TestTotalNeverBelowZero(t *testing.T) {
	// One blob of weight 100 that counts: T = 100, Var = 9,900,
	// Z·√Var = 195.01; the lower end stops at the 1 blob sampled.
	iv := Total(Blob(100, 1))
	assert.Equal(t, 1.0, iv.Lo)
	assert.InDelta(t, 295.01, iv.Hi, 0.01)
}

func TestRateWilsonByHand(t *testing.T) {
	// 8 of 10, every w = 1: p = 0.8, n = 10, Z² = 3.8415;
	// centre = (0.8 + 0.19208) / 1.38415 = 0.71674;
	// half = 1.95996/1.38415 · √(0.016 + 0.0096037) = 1.41600 · 0.16001
	//      = 0.22658; [0.4902, 0.9433].
	assertInterval(t, Interval{0.8, 0.4902, 0.9433}, Rate(blobs(10, 8, 1)), 1e-4)
}

func TestRateWithEqualWeightsIsTheClassicalWilson(t *testing.T) {
	// Newcombe (1998), "Two-sided confidence intervals for the single
	// proportion", Statistics in Medicine 17, 857–872, method 3 (Wilson).
	for _, c := range []struct {
		k, n   int
		lo, hi float64
	}{
		{81, 263, 0.2553, 0.3662},
		{15, 148, 0.0624, 0.1605},
		{0, 20, 0, 0.1611},
		{1, 29, 0.0061, 0.1718},
	} {
		want := Interval{float64(c.k) / float64(c.n), c.lo, c.hi}
		assertInterval(t, want, Rate(blobs(c.n, c.k, 1)), 5e-5)
		// The same weight everywhere changes nothing: a rate has no unit.
		assertInterval(t, want, Rate(blobs(c.n, c.k, 10)), 5e-5)
	}
}

func TestRateAtZeroAndOne(t *testing.T) {
	none, all := Rate(blobs(20, 0, 1)), Rate(blobs(20, 20, 1))
	assert.Equal(t, 0.0, none.Lo, "a rate of 0 keeps 0 in its interval")
	assert.InDelta(t, 0.1611, none.Hi, 5e-5)
	assert.Equal(t, 1.0, all.Hi)
	assert.InDelta(t, 0.8389, all.Lo, 5e-5)

	// With weights, a rate of 0 takes Kish's size: 10 blobs of w = 10 and
	// 10 of w = 2 give (120)² / 1,040 = 13.846 blobs, and the upper end
	// Z²/(n + Z²) = 3.8415 / 17.688 = 0.2172.
	mixed := blobs(10, 0, 10).Add(blobs(10, 0, 2))
	assertInterval(t, Interval{0, 0, 0.2172}, Rate(mixed), 1e-4)
}

func TestRateWeightedDocumentedExample(t *testing.T) {
	// docs/data.md §2.5.3: 80 of 400 desktop blobs (w = 10) and 100 of
	// 200 phone blobs (w = 2) bounced. p = 1,000 / 4,400 = 0.22727;
	// Var = 6,689.3 / 4,400² = 0.00034552. Kish's size is
	// 4,400² / 40,800 = 474.5; the design effective size is
	// p(1−p)/Var = 0.175620 / 0.00034552 = 508.28 (the values go with the
	// weights: desktops bounce less), and Wilson on it gives
	// [0.19297, 0.26567] (on Kish's, [0.19184, 0.26708]).
	s := blobs(400, 80, 10).Add(blobs(200, 100, 2))
	assertInterval(t, Interval{0.22727, 0.19297, 0.26567}, Rate(s), 1e-5)
	// The unweighted 180/600 = 30% is not in it.
	assert.False(t, Rate(s).Contains(0.3))
}

func TestRateOfNothingIsUndefined(t *testing.T) {
	iv := Rate(Sums{})
	assert.True(t, math.IsNaN(iv.Value) && math.IsNaN(iv.Lo) && math.IsNaN(iv.Hi))
}

func TestRateOfValuesAboveOneHasNoInterval(t *testing.T) {
	iv := Rate(values(1, 2, 3))
	assert.Equal(t, 2.5, iv.Value)
	assert.False(t, iv.Bounded())
}

func TestMeanWithEqualWeightsIsTheClassicalMean(t *testing.T) {
	// y = 2, 4, 4, 4, 5, 5, 7, 9: mean 5, s² = 32/7 = 4.5714,
	// s/√8 = 0.75593, Z·0.75593 = 1.48159: [3.51841, 6.48159].
	want := Interval{5, 3.51841, 6.48159}
	ys := []float64{2, 4, 4, 4, 5, 5, 7, 9}
	assertInterval(t, want, Mean(values(1, ys...)), 1e-5)
	assertInterval(t, want, Mean(values(3, ys...)), 1e-5)
}

func TestMeanWeightedByHand(t *testing.T) {
	// Weights 10, 10, 2 and y = 3, 1, 2: p = 44/22 = 2;
	// Σ w²(y−p)² = 100 + 100 + 0 = 200; Var = 200/22² · 3/2 = 0.61983;
	// √Var = 0.78730, Z·√Var = 1.54307: [0.45693, 3.54307].
	s := Blob(10, 3).Add(Blob(10, 1)).Add(Blob(2, 2))
	assertInterval(t, Interval{2, 0.45693, 3.54307}, Mean(s), 1e-5)
}

func TestMeanNeedsTwoBlobsForAnInterval(t *testing.T) {
	iv := Mean(Blob(10, 4))
	assert.Equal(t, 4.0, iv.Value)
	assert.False(t, iv.Bounded())
	assert.True(t, math.IsNaN(Mean(Sums{}).Value))
}

func TestMeanOfEqualValuesHasNoWidth(t *testing.T) {
	assert.Equal(t, Interval{3, 3, 3}, Mean(values(10, 3, 3, 3).Add(values(2, 3, 3))))
}

func TestCensusIsExact(t *testing.T) {
	iv := Census(42)
	assert.Equal(t, Interval{42, 42, 42}, iv)
	assert.True(t, iv.Bounded())
	assert.True(t, iv.Contains(42))
	assert.True(t, iv.Excludes(41))
}

func TestIntervalContainsAndExcludes(t *testing.T) {
	iv := Interval{Value: 1, Lo: -0.5, Hi: 2}
	assert.True(t, iv.Contains(0))
	assert.True(t, iv.Contains(-0.5) && iv.Contains(2), "the ends belong to it")
	assert.False(t, iv.Excludes(0))
	assert.True(t, iv.Excludes(2.1))

	nan := math.NaN()
	open := Interval{Value: 1, Lo: nan, Hi: nan}
	assert.False(t, open.Bounded())
	assert.False(t, open.Contains(1))
	assert.False(t, open.Excludes(0), "no interval: no change to colour")
}

func TestVarianceRoundingIsNotWidth(t *testing.T) {
	// Sums from a database may be added in any order; a census's
	// W2Y2 − WY2 can then come out a hair off 0.
	s := blobs(1000, 300, 1)
	s.W2Y2 += 1e-13
	require.Equal(t, Interval{300, 300, 300}, Total(s))
	s.WY2 += 2e-13
	assert.Equal(t, Interval{300, 300, 300}, Total(s))
}

package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDiffRatesNewcombePublishedExamples(t *testing.T) {
	// Newcombe (1998), Statistics in Medicine 17, 873–890, Table II,
	// method 10, for p1 − p2; here a = the second sample, b = the first,
	// so that b − a = p1 − p2.
	for _, c := range []struct {
		k1, n1, k2, n2 int
		lo, hi         float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{5, 56, 0, 29, -0.0381, 0.1926},
		{0, 10, 0, 20, -0.1611, 0.2775},
		{0, 10, 0, 10, -0.2775, 0.2775},
		{10, 10, 0, 20, 0.6791, 1.0000},
		{10, 10, 0, 10, 0.6075, 1.0000},
	} {
		a, b := blobs(c.n2, c.k2, 1), blobs(c.n1, c.k1, 1)
		d := float64(c.k1)/float64(c.n1) - float64(c.k2)/float64(c.n2)
		ch := DiffRates(a, b)
		assertInterval(t, Interval{d, c.lo, c.hi}, ch.Interval, 5e-5)
		// The other way round, the interval turns over.
		assertInterval(t, Interval{-d, -c.hi, -c.lo}, DiffRates(b, a).Interval, 5e-5)
	}
	// 56/70 − 48/80 = 0.2000, [0.0524, 0.3339]: a change.
	ch := DiffRates(blobs(80, 48, 1), blobs(70, 56, 1))
	assert.True(t, ch.Excludes(0))
	assert.Less(t, ch.P, 0.05)
}

func TestDiffRatesPValueInvertsTheInterval(t *testing.T) {
	// At the z that P stands for, Newcombe's interval has an end at 0;
	// and P < 0.05 exactly when the 95% interval excludes 0.
	r := rand.New(rand.NewPCG(1, 1))
	for range 200 {
		na, nb := 5+r.IntN(200), 5+r.IntN(200)
		a := blobs(na, r.IntN(na+1), 1).Add(blobs(na, r.IntN(na+1), 10))
		b := blobs(nb, r.IntN(nb+1), 1).Add(blobs(nb, r.IntN(nb+1), 10))
		ch := DiffRates(a, b)
		if !assert.True(t, ch.Bounded()) {
			continue
		}
		assert.Equal(t, ch.P < 0.05, ch.Excludes(0), "%+v", ch)
		if ch.Value == 0 {
			assert.Equal(t, 1.0, ch.P)
			continue
		}
		if ch.P < 1e-12 {
			continue
		}
		z := math.Sqrt2 * math.Erfcinv(ch.P)
		lo, hi := newcombe(a.Num/a.Den, rateSize(a), b.Num/b.Den, rateSize(b), z)
		end := lo
		if ch.Value < 0 {
			end = hi
		}
		assert.InDelta(t, 0, end, 1e-6, "%+v at z = %v", ch, z)
	}
}

func TestDiffRatesOfNothingIsUndefined(t *testing.T) {
	for _, ch := range []Change{DiffRates(Sums{}, blobs(10, 3, 1)), DiffRates(blobs(10, 3, 1), Sums{})} {
		assert.True(t, math.IsNaN(ch.Value) && math.IsNaN(ch.P))
		assert.False(t, ch.Excludes(0))
	}
}

func TestDiffTotalsByHand(t *testing.T) {
	// a: 400 blobs of w = 10, T = 4,000, V = Σ w²y² = 400·100 = 40,000;
	// b: 420 blobs of w = 10, T = 4,200, V = 42,000.
	// d = 200, √(82,000) = 286.356, Z·286.356 = 561.249:
	// [−361.248, 761.248]; z = 0.69843, P = 0.48491.
	ch := DiffTotals(blobs(400, 400, 10), blobs(420, 420, 10))
	assertInterval(t, Interval{200, -361.248, 761.248}, ch.Interval, 1e-3)
	assert.InDelta(t, 0.48491, ch.P, 1e-5)
	assert.False(t, ch.Excludes(0))
}

func TestDiffTotalsOfCensusesIsPoisson(t *testing.T) {
	// Counts 55 and 65: d = 10, √(55 + 65) = 10.954, Z·10.954 = 21.470:
	// [−11.470, 31.470], z = 0.91287, P = 0.36131: chance.
	ch := DiffTotals(blobs(100, 55, 1), blobs(100, 65, 1))
	assertInterval(t, Interval{10, -11.470, 31.470}, ch.Interval, 1e-3)
	assert.InDelta(t, 0.36131, ch.P, 1e-5)
	assert.False(t, ch.Excludes(0))
	// 55 and 90: d = 35, √145 = 12.042, z = 2.90659, P = 0.0036539: a change.
	ch = DiffTotals(blobs(100, 55, 1), blobs(100, 90, 1))
	assert.InDelta(t, 0.0036539, ch.P, 1e-7)
	assert.True(t, ch.Excludes(0))
	// Nothing against nothing: no change, and certainly so.
	ch = DiffTotals(blobs(100, 0, 1), blobs(90, 0, 1))
	assert.Equal(t, Change{Interval: Interval{0, 0, 0}, P: 1}, ch)
}

func TestDiffMeansWithEqualWeightsIsTheClassicalTest(t *testing.T) {
	// a = 1, 2, 3 and b = 4, 5, 6: means 2 and 5, s²/n = 1/3 each;
	// d = 3, √(2/3) = 0.81650, Z·0.81650 = 1.60030: [1.39970, 4.60030];
	// z = 3.67423, P = 0.00023856.
	ch := DiffMeans(values(1, 1, 2, 3), values(1, 4, 5, 6))
	assertInterval(t, Interval{3, 1.39970, 4.60030}, ch.Interval, 1e-5)
	assert.InDelta(t, 0.00023856, ch.P, 1e-8)
}

func TestDiffMeansNeedsData(t *testing.T) {
	ch := DiffMeans(Sums{}, values(1, 4, 5))
	assert.True(t, math.IsNaN(ch.Value) && math.IsNaN(ch.P))
	ch = DiffMeans(values(1, 2), values(1, 4, 5))
	assert.Equal(t, 2.5, ch.Value)
	assert.False(t, ch.Bounded())
	assert.True(t, math.IsNaN(ch.P))
}

func TestNormalChangePValueMatchesTheInterval(t *testing.T) {
	// Z is the exact 97.5% point: at |z| = Z the p-value is 0.05.
	assert.InDelta(t, 0.05, normalChange(Z, 1).P, 1e-15)
	assert.InDelta(t, 1.0, normalChange(0, 4).P, 0)
}

func TestDiffIntervalsByHand(t *testing.T) {
	// a = 10 [8, 13], b = 14 [12, 17]: Lo = 4 − √(2² + 3²), Hi = 4 + √(3² + 2²).
	c := DiffIntervals(Interval{10, 8, 13}, Interval{14, 12, 17})
	assert.InDelta(t, 4, c.Value, 1e-12)
	assert.InDelta(t, 4-math.Sqrt(13), c.Lo, 1e-12)
	assert.InDelta(t, 4+math.Sqrt(13), c.Hi, 1e-12)
	assert.True(t, c.Excludes(0))
	assert.Less(t, c.P, 0.05)
}

func TestDiffIntervalsOfNormalIntervalsIsTheNormalDifference(t *testing.T) {
	a, b := normal(100, 25), normal(108, 16)
	c := DiffIntervals(a, b)
	want := normalChange(8, 41)
	assert.InDelta(t, want.Lo, c.Lo, 1e-9)
	assert.InDelta(t, want.Hi, c.Hi, 1e-9)
	assert.InDelta(t, want.P, c.P, 1e-9)
}

func TestDiffIntervalsPValueMatchesTheInterval(t *testing.T) {
	// Asymmetric intervals on either side of 0: P < 0.05 exactly when the
	// interval excludes 0.
	for _, b := range []float64{-9, -5.2, -3, 0, 2, 4.1, 5.3, 7, 12} {
		c := DiffIntervals(Interval{20, 17, 26}, Interval{20 + b, 20 + b - 4, 20 + b + 2})
		assert.Equal(t, c.Excludes(0), c.P < 0.05, "b − a = %v: %+v", b, c)
	}
	assert.Equal(t, 1.0, DiffIntervals(Interval{5, 4, 6}, Interval{5, 3, 7}).P)
}

func TestDiffIntervalsNeedsBothIntervals(t *testing.T) {
	nan := math.NaN()
	c := DiffIntervals(Interval{5, nan, nan}, Interval{9, 8, 10})
	assert.Equal(t, 4.0, c.Value)
	assert.False(t, c.Bounded())
	assert.True(t, math.IsNaN(c.P))
	assert.True(t, math.IsNaN(DiffIntervals(undefined(), Interval{9, 8, 10}).Value))
}

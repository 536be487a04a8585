package stats

import "math"

// Quantile returns the weighted q-quantile of observations with their
// weights, values sorted ascending, and a 95% interval from order
// statistics.
//
// The estimate ξ is the first value at which the running sum of weights
// reaches q·W, W = Σ w (q = 0.5: the weighted median; with every w = 1 the
// lower median). The interval reads the ranks n·q ± Z·√(n·q·(1−q)) as
// shares of the weight, s = q ± Z·√(q·(1−q)/n), where n is the effective
// size of the share of weight at or below ξ (see effective sizes in the
// package documentation), and rounds outwards: Lo is the last value at
// which the running weight is still at most s_lo·W, Hi the first at which
// it reaches s_hi·W. With every w = 1, n is the number of observations
// and these are the classical distribution-free ranks
// ⌊n·q − Z·√(n·q·(1−q))⌋ and ⌈n·q + Z·√(n·q·(1−q))⌉; with weights this is
// Woodruff's interval.
//
// Small samples: when no observation lies at or below s_lo (the lower rank
// is below 1) or s_hi is above 1, the data cannot bound the quantile and
// the result has the value but NaN ends; for the median of equal weights
// that is fewer than 8 observations, for the 95th percentile fewer than
// 73. The result is undefined (NaN) for q outside [0, 1] or no positive
// weight; q = 0 and 1 give the smallest and largest value without an
// interval.
//
// Weights that are not positive leave their observation out. Quantile
// panics if the slices differ in length or the values are not sorted (a
// NaN among them counts as unsorted): those are the caller's mistakes.
// Quantiles of a range of days are not made of the days' quantiles: they
// need the range's observations.
func Quantile(values, weights []float64, q float64) Interval {
	if len(values) != len(weights) {
		panic("stats: Quantile: values and weights differ in length")
	}
	var points []Point
	for i, x := range values {
		if i > 0 && !(x >= values[i-1]) {
			panic("stats: Quantile: values not sorted")
		}
		wi := weights[i]
		if !(wi > 0) {
			continue
		}
		if k := len(points) - 1; k >= 0 && points[k].Value == x {
			points[k].Count++
			points[k].W += wi
			points[k].W2 += wi * wi
			continue
		}
		points = append(points, Point{Value: x, Count: 1, W: wi, W2: wi * wi})
	}
	return QuantilePoints(points, q)
}

// Point is one distinct value of a quantile's observations: how many
// observations have it, and the sum of their weights and squared weights.
// Points are additive like Sums, so a KPI query hands the runner one row
// per distinct value (GROUP BY the value) rather than every observation.
type Point struct {
	Value, Count, W, W2 float64
}

// QuantilePoints is Quantile over observations grouped by value, points
// sorted ascending by value with distinct values; a point whose W is not
// positive is left out. The observations of a tie count at their mean
// weight, so the result does not depend on the order ties came in.
func QuantilePoints(points []Point, q float64) Interval {
	var n, w, w2 float64
	for i, pt := range points {
		if i > 0 && !(pt.Value > points[i-1].Value) {
			panic("stats: QuantilePoints: values not sorted and distinct")
		}
		if pt.W > 0 {
			n += pt.Count
			w += pt.W
			w2 += pt.W2
		}
	}
	if !(w > 0) || !(q >= 0 && q <= 1) {
		return undefined()
	}
	// Running weights are compared with a tolerance for rounding: a share
	// is reached when it is within a billionth of the total weight.
	slack := 1e-9 * w
	_, at := crossing(points, q*w-slack)
	est := unbounded(points[at].Value)
	if q == 0 || q == 1 {
		return est
	}
	// The share of weight at or below the estimate, ties included, and
	// its linearised variance Σ w²·(y − p)² / W² for y = 1 at or below.
	var nBelow, below, below2 float64
	for _, pt := range points[:at+1] {
		if pt.W > 0 {
			nBelow += pt.Count
			below += pt.W
			below2 += pt.W2
		}
	}
	p := below / w
	v := (below2*(1-p)*(1-p) + (w2-below2)*p*p) / (w * w)
	size := effectiveSize(p, v, kish(w, w2), n, math.Min(nBelow, n-nBelow))
	half := Z * math.Sqrt(q*(1-q)/size)
	lo, hi := q-half, q+half
	if hi > 1 {
		return est
	}
	first, _ := crossing(points, lo*w+slack)
	if first < 0 {
		return est
	}
	_, end := crossing(points, hi*w-slack)
	est.Lo, est.Hi = points[first].Value, points[end].Value
	return est
}

// crossing returns the first point (with a positive weight) at which the
// running weight exceeds level, and the point holding the observation
// before that one (the same point when it crossed inside a tie), -1 if
// none; when the running weight never exceeds level, both are the last.
func crossing(points []Point, level float64) (before, at int) {
	var cum float64
	before = -1
	for i, pt := range points {
		if !(pt.W > 0) {
			continue
		}
		// The observations of a tie are taken at their mean weight: when
		// the first of them still fits under level, the tie holds the
		// observation before the crossing too.
		if cum+pt.W > level {
			if cum+pt.W/pt.Count <= level {
				before = i
			}
			return before, i
		}
		cum += pt.W
		before = i
	}
	return before, before
}

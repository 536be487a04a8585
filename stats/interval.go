package stats

import "math"

// Z is the 97.5th percentile of the standard normal distribution, the
// "1.96" of every 95% interval here. With it, a normal interval for a
// change excludes 0 exactly when the change's p-value is below 0.05.
const Z = 1.959963984540054

// Interval is an estimate with its 95% interval [Lo, Hi].
//
// A NaN Value means there is no estimate (a rate or mean over no blobs):
// a caller shows nothing, as for a row that does not exist. A Value with
// NaN ends means an estimate without an interval (too few blobs to bound
// it): a caller shows the value and no error bar, and treats any change
// in it as unknown.
type Interval struct {
	Value, Lo, Hi float64
}

// Census returns an exact value, known without sampling (the server's
// census counts): its interval is the value itself.
func Census(value float64) Interval {
	return Interval{Value: value, Lo: value, Hi: value}
}

// Contains reports whether x lies in [Lo, Hi]; it is false when either end
// is NaN.
func (iv Interval) Contains(x float64) bool {
	return iv.Lo <= x && x <= iv.Hi
}

// Excludes reports whether the interval has both ends and x lies outside
// them: Excludes(0) on a change says it is not chance, at the 5% level.
// It is false without an interval.
func (iv Interval) Excludes(x float64) bool {
	return iv.Bounded() && (x < iv.Lo || x > iv.Hi)
}

// Bounded reports whether the interval has both ends.
func (iv Interval) Bounded() bool {
	return !math.IsNaN(iv.Lo) && !math.IsNaN(iv.Hi)
}

// undefined is the result for no data.
func undefined() Interval {
	nan := math.NaN()
	return Interval{Value: nan, Lo: nan, Hi: nan}
}

// unbounded is a value without an interval.
func unbounded(v float64) Interval {
	return Interval{Value: v, Lo: math.NaN(), Hi: math.NaN()}
}

// normal returns v ± Z·√variance, or v without an interval for a NaN
// variance.
func normal(v, variance float64) Interval {
	if math.IsNaN(variance) {
		return unbounded(v)
	}
	h := Z * math.Sqrt(variance)
	return Interval{Value: v, Lo: v - h, Hi: v + h}
}

// nonNegative returns a variance computed as a difference of sums, with
// what rounding left of a zero variance set to 0: values below 1e-12 of
// the scale of the sums it came from.
func nonNegative(v, scale float64) float64 {
	if v < 1e-12*math.Abs(scale) {
		return 0
	}
	return v
}

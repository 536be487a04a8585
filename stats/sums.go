package stats

// Sums holds the additive statistics of one population of sampled blobs: a
// KPI result row's blobs for one day, segment and step. Blob i has weight
// w_i (see Weight) and value y_i; every field is a plain sum over the
// blobs, so the Sums of a range of days is the Add of the days' Sums.
//
// For a rate or a mean the blobs are those of its denominator; for a total
// they are the blobs looked at, each with y = 1 when it counts (a funnel
// step reached, a new user) and y = 0 otherwise, or y = its contribution.
type Sums struct {
	// N is the number of sampled blobs.
	N float64
	// Num is Σ w·y, the weighted numerator (the estimated total).
	Num float64
	// Den is Σ w, the weighted denominator; a total does not use it.
	Den float64
	// W2 is Σ w².
	W2 float64
	// W2Y is Σ w²·y.
	W2Y float64
	// W2Y2 is Σ w²·y².
	W2Y2 float64
	// WY2 is Σ w·y².
	WY2 float64
	// Y is Σ y, the unweighted numerator: for 0/1 values the number of
	// sampled blobs that count. It is the least a total can be, and tells
	// a rate whether enough blobs have the property to judge its
	// variance.
	Y float64
}

// Weight returns the weight of a blob sent with the given sample rate:
// 1/sampleRate, or 1 where the rate is missing (NaN), 0 or less, or above
// 1.
func Weight(sampleRate float64) float64 {
	if sampleRate > 0 && sampleRate <= 1 {
		return 1 / sampleRate
	}
	return 1
}

// Blob returns the Sums of one sampled blob with weight w and value y.
func Blob(w, y float64) Sums {
	return Sums{
		N:    1,
		Num:  w * y,
		Den:  w,
		W2:   w * w,
		W2Y:  w * w * y,
		W2Y2: w * w * y * y,
		WY2:  w * y * y,
		Y:    y,
	}
}

// Add returns the Sums of the union of two disjoint sets of blobs, such as
// two days.
func (s Sums) Add(o Sums) Sums {
	return Sums{
		N:    s.N + o.N,
		Num:  s.Num + o.Num,
		Den:  s.Den + o.Den,
		W2:   s.W2 + o.W2,
		W2Y:  s.W2Y + o.W2Y,
		W2Y2: s.W2Y2 + o.W2Y2,
		WY2:  s.WY2 + o.WY2,
		Y:    s.Y + o.Y,
	}
}

// kish returns Kish's effective sample size (Σ w)² / Σ w², the number of
// equally weighted blobs that would carry as much information if the
// values had nothing to do with the weights; N when every weight is the
// same, 0 for no blobs.
func kish(den, w2 float64) float64 {
	if !(w2 > 0) {
		return 0
	}
	return den * den / w2
}

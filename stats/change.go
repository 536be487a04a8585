package stats

import "math"

// Change is the difference between two periods, b − a, with its 95%
// interval and the two-sided p-value of the hypothesis that nothing
// changed. Interval.Excludes(0) holds when P < 0.05 and only then (both
// come from one construction, up to rounding at the boundary). A NaN Value means one period has no estimate; a
// NaN P, that the change cannot be tested (give it to BenjaminiHochberg
// as it is: it is never rejected).
type Change struct {
	Interval
	// P is the two-sided p-value for "no change".
	P float64
}

// DiffTotals returns the change b − a of two Horvitz–Thompson totals with
// the normal interval d ± Z·√(V_a + V_b) and the p-value of
// z = d/√(V_a + V_b), where V = Σ w²·y² = W2Y2 is the variance of the total
// as the outcome of a process: the sampling variance Σ w·(w−1)·y² (see
// Total) plus Σ w·y², the estimated Poisson variance of the population's
// own count. A change of a total asks whether the process changed (more
// new users a day), not whether these two weeks' sessions differed: they
// always do, by chance. So two census totals (every w = 1, no sampling
// variance) differ by more than chance only when d is large against
// √(Y_a + Y_b): a count of 55 a day moves by 10 or so without anything
// having changed.
func DiffTotals(a, b Sums) Change {
	return normalChange(b.Num-a.Num, processVar(a)+processVar(b))
}

// processVar is the variance of a total as the outcome of a Poisson
// process, sampled with Poisson sampling: Σ w²·y².
func processVar(s Sums) float64 {
	return math.Max(s.W2Y2, 0)
}

// DiffMeans returns the change b − a of two means (see Mean) with the
// normal interval d ± Z·√(Var_a + Var_b) and the p-value of
// z = d/√(Var_a + Var_b). It is undefined when a period has no blobs and
// untested when a period has fewer than 2.
func DiffMeans(a, b Sums) Change {
	if !(a.Den > 0) || !(b.Den > 0) {
		return Change{Interval: undefined(), P: math.NaN()}
	}
	return normalChange(b.Num/b.Den-a.Num/a.Den, meanVar(a)+meanVar(b))
}

// normalChange is the normal interval and p-value of a difference d with
// variance v.
func normalChange(d, v float64) Change {
	c := Change{Interval: normal(d, v), P: math.NaN()}
	switch {
	case math.IsNaN(v) || math.IsNaN(d):
	case v == 0 && d == 0:
		c.P = 1
	case v == 0:
		c.P = 0
	default:
		c.P = math.Erfc(math.Abs(d) / math.Sqrt(2*v))
	}
	return c
}

// DiffRates returns the change b − a of two rates (see Rate) with
// Newcombe's hybrid score interval (Newcombe 1998, method 10), built from
// each period's Wilson interval [l, u] (see Rate):
//
//	d  = p_b − p_a
//	Lo = d − √((p_b − l_b)² + (u_a − p_a)²)
//	Hi = d + √((u_b − p_b)² + (p_a − l_a)²)
//
// Its p-value inverts the same interval: the level 2·(1 − Φ(z)) of the
// z at which the interval's end nearest 0 reaches 0, so P < 0.05 exactly
// when the 95% interval excludes 0. It is undefined when a period has no
// blob in its denominator.
func DiffRates(a, b Sums) Change {
	if !(a.Den > 0) || !(b.Den > 0) {
		return Change{Interval: undefined(), P: math.NaN()}
	}
	pa, na := a.Num/a.Den, rateSize(a)
	pb, nb := b.Num/b.Den, rateSize(b)
	lo, hi := newcombe(pa, na, pb, nb, Z)
	c := Change{Interval: Interval{Value: pb - pa, Lo: lo, Hi: hi}, P: math.NaN()}
	if !c.Bounded() {
		return c
	}
	c.P = newcombeP(pa, na, pb, nb)
	return c
}

// newcombe returns Newcombe's hybrid score interval for p_b − p_a at the
// normal point z.
func newcombe(pa, na, pb, nb, z float64) (lo, hi float64) {
	la, ua := wilson(pa, na, z)
	lb, ub := wilson(pb, nb, z)
	d := pb - pa
	lo = d - math.Hypot(pb-lb, ua-pa)
	hi = d + math.Hypot(ub-pb, pa-la)
	return lo, hi
}

// newcombeP returns the two-sided p-value that matches Newcombe's
// interval: the Wilson intervals widen with z, so the interval's end
// nearest 0 moves monotonically towards 0 and beyond; bisection finds the
// z at which it reaches 0.
func newcombeP(pa, na, pb, nb float64) float64 {
	d := pb - pa
	if d == 0 {
		return 1
	}
	// end is the interval's end nearest 0 at z, signed so that it is
	// positive while the interval excludes 0.
	end := func(z float64) float64 {
		lo, hi := newcombe(pa, na, pb, nb, z)
		if d > 0 {
			return lo
		}
		return -hi
	}
	const zMax = 40.0 // Erfc(40/√2) is 0 in float64
	if end(zMax) > 0 {
		return 0
	}
	zLo, zHi := 0.0, zMax
	for i := 0; i < 100 && zHi-zLo > 1e-12; i++ {
		mid := (zLo + zHi) / 2
		if end(mid) > 0 {
			zLo = mid
		} else {
			zHi = mid
		}
	}
	return math.Erfc((zLo + zHi) / 2 / math.Sqrt2)
}

// DiffIntervals returns the change b − a of two estimates known only by
// their 95% intervals, such as two days' quantiles (which have no sums
// to pool), with the MOVER interval (Zou and Donner 2008): as Newcombe's
// for rates, each end is built from the two estimates' distances to the
// ends of their own intervals,
//
//	d  = b − a
//	Lo = d − √((b − Lo_b)² + (Hi_a − a)²)
//	Hi = d + √((Hi_b − b)² + (a − Lo_a)²)
//
// so symmetric normal intervals give d ± Z·√(Var_a + Var_b). Its p-value
// reads the half-width h on the side of 0 as Z standard errors: the end
// reaches 0 at z = Z·|d|/h, and P = 2·(1 − Φ(z)) is below 0.05 exactly
// when the interval excludes 0. The two estimates must be independent
// (different days). Without an interval on either side the change has
// no interval and is untested (NaN P).
func DiffIntervals(a, b Interval) Change {
	d := b.Value - a.Value
	if math.IsNaN(d) {
		return Change{Interval: undefined(), P: math.NaN()}
	}
	if !a.Bounded() || !b.Bounded() {
		return Change{Interval: unbounded(d), P: math.NaN()}
	}
	c := Change{Interval: Interval{
		Value: d,
		Lo:    d - math.Hypot(b.Value-b.Lo, a.Hi-a.Value),
		Hi:    d + math.Hypot(b.Hi-b.Value, a.Value-a.Lo),
	}}
	h := d - c.Lo
	if d < 0 {
		h = c.Hi - d
	}
	switch {
	case d == 0:
		c.P = 1
	case h == 0:
		c.P = 0
	default:
		c.P = math.Erfc(Z * math.Abs(d) / h / math.Sqrt2)
	}
	return c
}

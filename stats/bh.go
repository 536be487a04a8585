package stats

import (
	"cmp"
	"math"
	"slices"
)

// BenjaminiHochberg returns which of the hypotheses with p-values p are
// rejected at false-discovery rate q (0.05, say) by the step-up procedure
// of Benjamini and Hochberg (1995): with the m p-values sorted,
// p(1) ≤ … ≤ p(m), find the largest k with p(k) ≤ k·q/m and reject the
// hypotheses with the k smallest p-values (all of a tie at p(k)).
//
// A NaN p-value is a change that could not be tested: it is never
// rejected and does not count in m. Empty input gives an empty result; a
// q that is not above 0 rejects nothing.
func BenjaminiHochberg(p []float64, q float64) []bool {
	rejected := make([]bool, len(p))
	tested := make([]int, 0, len(p))
	for i, pi := range p {
		if !math.IsNaN(pi) {
			tested = append(tested, i)
		}
	}
	m := float64(len(tested))
	if len(tested) == 0 || !(q > 0) {
		return rejected
	}
	slices.SortStableFunc(tested, func(i, j int) int { return cmp.Compare(p[i], p[j]) })
	threshold := math.Inf(-1)
	for k, i := range tested {
		if p[i] <= float64(k+1)*q/m {
			threshold = p[i]
		}
	}
	for _, i := range tested {
		rejected[i] = p[i] <= threshold
	}
	return rejected
}

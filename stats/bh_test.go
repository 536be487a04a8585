package stats

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestBenjaminiHochbergPaperExample(t *testing.T) {
	// Benjamini and Hochberg (1995), section 3.2: 15 p-values; at q = 0.05
	// the largest k with p(k) ≤ k·0.05/15 is k = 4 (0.0095 ≤ 0.0133, while
	// 0.0201 > 0.0167, 0.0278 > 0.02, ..., 0.0459 > 0.03), so the four
	// smallest are rejected (Bonferroni would reject three).
	p := []float64{0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298,
		0.0344, 0.0459, 0.3240, 0.4262, 0.5719, 0.6528, 0.7590, 1.0000}
	want := make([]bool, len(p))
	for i := range 4 {
		want[i] = true
	}
	assert.Equal(t, want, BenjaminiHochberg(p, 0.05))

	// In any order, the same hypotheses.
	rev := make([]float64, len(p))
	wantRev := make([]bool, len(p))
	for i := range p {
		rev[len(p)-1-i] = p[i]
		wantRev[len(p)-1-i] = want[i]
	}
	assert.Equal(t, wantRev, BenjaminiHochberg(rev, 0.05))
}

func TestBenjaminiHochbergStepsUp(t *testing.T) {
	// p(1) = 0.03 > 1·0.05/2, but p(2) = 0.04 ≤ 2·0.05/2: both.
	assert.Equal(t, []bool{true, true}, BenjaminiHochberg([]float64{0.04, 0.03}, 0.05))
}

func TestBenjaminiHochbergTies(t *testing.T) {
	// m = 5: 0.01 ≤ 0.01; 0.04 > 0.02 and > 0.03, but ≤ 0.04 at k = 4:
	// the whole tie goes.
	p := []float64{0.04, 0.01, 0.9, 0.04, 0.04}
	assert.Equal(t, []bool{true, true, false, true, true}, BenjaminiHochberg(p, 0.05))
	// A tie that misses misses whole.
	assert.Equal(t, []bool{false, false}, BenjaminiHochberg([]float64{0.06, 0.06}, 0.05))
}

func TestBenjaminiHochbergNaNIsNotATest(t *testing.T) {
	// m = 2, not 3: 0.01 ≤ 0.025 and 0.04 ≤ 0.05.
	nan := math.NaN()
	assert.Equal(t, []bool{false, true, true}, BenjaminiHochberg([]float64{nan, 0.01, 0.04}, 0.05))
	assert.Equal(t, []bool{false, false}, BenjaminiHochberg([]float64{nan, nan}, 0.05))
}

func TestBenjaminiHochbergEdges(t *testing.T) {
	assert.Equal(t, []bool{}, BenjaminiHochberg(nil, 0.05))
	assert.Equal(t, []bool{false}, BenjaminiHochberg([]float64{0}, 0))
	assert.Equal(t, []bool{false}, BenjaminiHochberg([]float64{0}, math.NaN()))
	assert.Equal(t, []bool{true}, BenjaminiHochberg([]float64{0.05}, 0.05))
	assert.Equal(t, []bool{false}, BenjaminiHochberg([]float64{0.0500001}, 0.05))
}

package stats

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// blob is one sampled blob: its weight, a 0/1 property and a count.
type blob struct{ w, has, count float64 }

func TestSumsOfDaysGiveThePooledIntervals(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rates := []float64{0.1, 0.5, 0.7, 1, 0} // 0: missing, weight 1
	var days [][]blob
	var pooled []blob
	for range 7 {
		var day []blob
		for range 50 + r.IntN(200) {
			b := blob{w: Weight(rates[r.IntN(len(rates))]), count: float64(r.IntN(6))}
			if r.Float64() < 0.3 {
				b.has = 1
			}
			day = append(day, b)
		}
		days = append(days, day)
		pooled = append(pooled, day...)
	}
	r.Shuffle(len(pooled), func(i, j int) { pooled[i], pooled[j] = pooled[j], pooled[i] })

	sums := func(bs []blob) (has, count Sums) {
		for _, b := range bs {
			has = has.Add(Blob(b.w, b.has))
			count = count.Add(Blob(b.w, b.count))
		}
		return has, count
	}
	var weekHas, weekCount Sums
	for _, day := range days {
		h, c := sums(day)
		weekHas, weekCount = weekHas.Add(h), weekCount.Add(c)
	}
	allHas, allCount := sums(pooled)

	same := func(name string, want, got Interval) {
		for _, pair := range [][2]float64{{want.Value, got.Value}, {want.Lo, got.Lo}, {want.Hi, got.Hi}} {
			assert.InEpsilon(t, pair[0], pair[1], 1e-9, name)
		}
	}
	same("total", Total(allHas), Total(weekHas))
	same("total of counts", Total(allCount), Total(weekCount))
	same("rate", Rate(allHas), Rate(weekHas))
	same("mean", Mean(allCount), Mean(weekCount))
	h0, c0 := sums(days[0])
	same("change of a total", DiffTotals(h0, allHas).Interval, DiffTotals(h0, weekHas).Interval)
	same("change of a rate", DiffRates(h0, allHas).Interval, DiffRates(h0, weekHas).Interval)
	same("change of a mean", DiffMeans(c0, allCount).Interval, DiffMeans(c0, weekCount).Interval)
}

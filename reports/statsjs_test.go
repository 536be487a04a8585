package reports

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/persona-kpi/kpi/stats"
)

// jsEstimate is an estimate as stats.js returns it; JSON has no NaN, so
// the test's script sends null for it.
type jsEstimate struct {
	V, Lo, Hi *float64
}

// TestStatsJSIsPackageStats runs stats.js in Chromium on random sums of
// weighted blobs, small segments and 0/1 rates included, and compares every
// estimate with package stats: the pages' re-estimated ranges are the
// report's numbers.
func TestStatsJSIsPackageStats(t *testing.T) {
	ctx := browser(t)
	src, err := staticFS.ReadFile("static/stats.js")
	require.NoError(t, err)

	rng := rand.New(rand.NewPCG(7, 8))
	type jsSums struct{ N, Y, Num, Den, W2, W2Y, W2Y2, WY2 float64 }
	var cases []stats.Sums
	for i := range 600 {
		var s stats.Sums
		n := rng.IntN(60) // 0 blobs too
		if i%2 == 0 {
			n = 100 + rng.IntN(400)
		}
		// Rare properties too: few blobs on one side choose Kish's size.
		share := rng.Float64() * []float64{1, 0.1, 0.02}[rng.IntN(3)]
		for range n {
			w := []float64{1, 2, 5, 10, 1.25}[rng.IntN(5)]
			y := 0.0
			if rng.Float64() < share {
				y = 1
			}
			if i%3 == 0 {
				y = float64(rng.IntN(7)) // a mean's values
			}
			s = s.Add(stats.Blob(w, y))
		}
		cases = append(cases, s)
	}
	in := make([]jsSums, len(cases))
	for i, s := range cases {
		in[i] = jsSums{s.N, s.Y, s.Num, s.Den, s.W2, s.W2Y, s.W2Y2, s.WY2}
	}
	js, err := json.Marshal(in)
	require.NoError(t, err)

	script := string(src) + `
		(function () {
			function plain(e) { return { V: isNaN(e.v) ? null : e.v, Lo: isNaN(e.lo) ? null : e.lo, Hi: isNaN(e.hi) ? null : e.hi }; }
			return ` + string(js) + `.map(function (s) { return [plain(KPIStats.total(s)), plain(KPIStats.rate(s)), plain(KPIStats.mean(s))]; });
		})()`
	do(t, ctx, chromedp.Navigate("about:blank"))
	out := eval[[][3]jsEstimate](t, ctx, script)
	require.Len(t, out, len(cases))

	same := func(want float64, got *float64, what string, i int) {
		if math.IsNaN(want) {
			assert.Nil(t, got, "%s of case %d: %+v", what, i, cases[i])
			return
		}
		if assert.NotNil(t, got, "%s of case %d: %+v", what, i, cases[i]) {
			assert.InDelta(t, want, *got, 1e-9*math.Max(1, math.Abs(want)), "%s of case %d: %+v", what, i, cases[i])
		}
	}
	for i, s := range cases {
		for k, iv := range []stats.Interval{stats.Total(s), stats.Rate(s), stats.Mean(s)} {
			what := []string{"total", "rate", "mean"}[k]
			if k == 1 && s.Y > 0 && s.WY2 != s.Num {
				continue // not 0/1 values: not a rate
			}
			same(iv.Value, out[i][k].V, what+" value", i)
			same(iv.Lo, out[i][k].Lo, what+" lo", i)
			same(iv.Hi, out[i][k].Hi, what+" hi", i)
		}
	}
}

package stats

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
)

// These tests check the intervals by simulation (sim_test.go): how often
// they hold the truth, and how often a change is flagged where there is
// none. With 1,000 replications a share near 95% is known to about ±0.7%
// (one standard error), so the bounds allow for Monte Carlo error; the
// seeds are fixed, so the results are too.

// share counts how often something held.
type share struct{ hits, n int }

func (s *share) add(hit bool) {
	s.n++
	if hit {
		s.hits++
	}
}

func (s *share) value() float64 { return float64(s.hits) / float64(s.n) }

// within checks that a share lies in [lo, hi] and logs it.
func within(t *testing.T, name string, s share, lo, hi float64) {
	t.Helper()
	t.Logf("%-44s %6.2f%% of %d", name, 100*s.value(), s.n)
	assert.GreaterOrEqual(t, s.value(), lo, name)
	assert.LessOrEqual(t, s.value(), hi, name)
}

// TestSamplesOfOnePopulation draws Poisson samples of one population of
// 100,000 sessions again and again: the totals' intervals are about the
// sessions that were there, and must hold them 95% of the time; two
// samples of the same sessions must differ by chance only.
func TestSamplesOfOnePopulation(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2013, 4))
	pop := newPopulation(r, 100_000)
	const reps = 1000
	var sessions, bounces, bounceRate, successRate, sites, unweighted share
	var sessionsAlarm, bouncesAlarm share
	for range reps {
		a, b := pop.sample(r), pop.sample(r)
		for _, s := range []kpis{a, b} {
			sessions.add(Total(s.sessions.weighted()).Contains(pop.size))
			bounces.add(Total(s.bounce.weighted()).Contains(pop.truth.bounce))
			bounceRate.add(Rate(s.bounce.weighted()).Contains(pop.truth.bounce / pop.size))
			successRate.add(Rate(s.success.weighted()).Contains(pop.truth.success / pop.notBounced))
			sites.add(Mean(s.sites.weighted()).Contains(pop.truth.sites / pop.size))
			unweighted.add(Rate(s.bounce.unweighted()).Contains(pop.truth.bounce / pop.size))
		}
		sessionsAlarm.add(DiffTotals(a.sessions.weighted(), b.sessions.weighted()).Excludes(0))
		bouncesAlarm.add(DiffTotals(a.bounce.weighted(), b.bounce.weighted()).Excludes(0))
	}
	within(t, "Total of sessions covers", sessions, 0.925, 0.975)
	within(t, "Total of bounces covers", bounces, 0.925, 0.975)
	// DiffTotals asks whether the process changed, so it allows for the
	// population's own Poisson variance as well: two samples of one and
	// the same population are flagged less often than 5%.
	within(t, "DiffTotals of sessions flags", sessionsAlarm, 0, 0.05)
	within(t, "DiffTotals of bounces flags", bouncesAlarm, 0, 0.05)
	// Rates and means are about the process behind the sessions (see
	// TestDaysOfOneProcess); these sessions' own values are held at least
	// as often, more where a kind is sampled at a high rate.
	within(t, "Rate of bounces covers these sessions'", bounceRate, 0.925, 1)
	within(t, "Rate of success covers these sessions'", successRate, 0.925, 1)
	within(t, "Mean of sites covers these sessions'", sites, 0.925, 1)
	within(t, "Rate of bounces, unweighted, covers", unweighted, 0, 0.5)
}

// TestDaysOfOneProcess draws days of sessions from one unchanging process
// (each day 46 segments of 2,000 sessions, every segment with both kinds
// in their shares) and samples them: the rates, means and quantiles must
// hold the process's values 95% of the time, and two days must differ by
// chance only, which Benjamini–Hochberg must keep from lighting up the
// segments.
func TestDaysOfOneProcess(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(2013, 10))
	pr := newProcess()
	const reps = 1000
	var bounceRate, successRate, sites, median, p90, unweighted share
	var segBounce, segFail share
	var bounceAlarm, successAlarm, sitesAlarm, sessionsAlarm, bouncesAlarm share
	var segAlarm, segAlarmDays, bhAlarm, bhAlarmDays share
	p := make([]float64, segments)
	for range reps {
		a, b := newDay(r, 2000), newDay(r, 2000)
		for _, d := range []*day{&a, &b} {
			bounceRate.add(Rate(d.bounce.weighted()).Contains(pr.bounce))
			successRate.add(Rate(d.success.weighted()).Contains(pr.success))
			sites.add(Mean(d.sites.weighted()).Contains(pr.sites))
			median.add(Quantile(d.loads, d.weights, 0.5).Contains(pr.median))
			p90.add(Quantile(d.loads, d.weights, 0.9).Contains(pr.p90))
			unweighted.add(Rate(d.bounce.unweighted()).Contains(pr.bounce))
			for g := range segments {
				segBounce.add(Rate(d.segBounce[g].weighted()).Contains(pr.bounce))
				segFail.add(Rate(d.segFail[g].weighted()).Contains(pr.fail))
			}
		}
		sessionsAlarm.add(DiffTotals(a.sessions.weighted(), b.sessions.weighted()).Excludes(0))
		bouncesAlarm.add(DiffTotals(a.bounce.weighted(), b.bounce.weighted()).Excludes(0))
		bounceAlarm.add(DiffRates(a.bounce.weighted(), b.bounce.weighted()).Excludes(0))
		successAlarm.add(DiffRates(a.success.weighted(), b.success.weighted()).Excludes(0))
		sitesAlarm.add(DiffMeans(a.sites.weighted(), b.sites.weighted()).Excludes(0))

		flagged := 0
		for g := range segments {
			p[g] = DiffRates(a.segBounce[g].weighted(), b.segBounce[g].weighted()).P
			segAlarm.add(p[g] < 0.05)
			if p[g] < 0.05 {
				flagged++
			}
		}
		segAlarmDays.add(flagged > 0)
		flagged = 0
		for _, rejected := range BenjaminiHochberg(p, 0.05) {
			bhAlarm.add(rejected)
			if rejected {
				flagged++
			}
		}
		bhAlarmDays.add(flagged > 0)
	}
	within(t, "Rate of bounces covers", bounceRate, 0.925, 0.975)
	within(t, "Rate of success covers", successRate, 0.925, 0.975)
	within(t, "Mean of sites covers", sites, 0.925, 0.975)
	within(t, "Quantile: median load time covers", median, 0.925, 0.975)
	within(t, "Rate of bounces per segment covers", segBounce, 0.925, 0.975)
	// Two corners where the effective size is held back on purpose, so
	// the intervals are wider than they need be (about 97%): above the
	// 90th percentile are mostly phones, whose small weights would give a
	// design effective size above the number of blobs, and it is capped
	// there; a segment's errors are too few (about 10 blobs) to trust
	// their variance above Kish's size.
	within(t, "Quantile: 90th percentile covers", p90, 0.925, 0.985)
	within(t, "Rate of errors (1.6%) per segment covers", segFail, 0.925, 0.985)
	within(t, "Rate of bounces, unweighted, covers", unweighted, 0, 0.5)

	within(t, "DiffTotals of sessions flags", sessionsAlarm, 0.025, 0.075)
	within(t, "DiffTotals of bounces flags", bouncesAlarm, 0.025, 0.075)
	within(t, "DiffRates of bounces flags", bounceAlarm, 0.025, 0.075)
	within(t, "DiffRates of success flags", successAlarm, 0.025, 0.075)
	within(t, "DiffMeans of sites flags", sitesAlarm, 0.025, 0.075)

	// 46 segments tested one by one flag about 5% of them, and most days
	// at least one; Benjamini–Hochberg flags a segment on at most about
	// q = 5% of the days (with no real change, every flag is false).
	within(t, "DiffRates per segment, unadjusted, flags", segAlarm, 0.04, 0.06)
	within(t, "days with a segment flagged, unadjusted", segAlarmDays, 0.8, 1)
	within(t, "DiffRates per segment, Benjamini-Hochberg, flags", bhAlarm, 0, 0.005)
	within(t, "days with a segment flagged, Benjamini-Hochberg", bhAlarmDays, 0, 0.075)
	assert.Less(t, 10*bhAlarm.hits, segAlarm.hits, "BH flags far fewer")
}
func TestMomentsAreBlobSums(t *testing.T) {
	// The simulations add up blobs of a kind as count, Σ y and Σ y².
	var m moments
	var s Sums
	for _, y := range []float64{0, 1, 3, 1, 0, 7} {
		m.add(y)
		s = s.Add(Blob(10, y))
	}
	got := m.sums(10)
	for _, pair := range [][2]float64{{s.N, got.N}, {s.Y, got.Y}, {s.Num, got.Num}, {s.Den, got.Den},
		{s.W2, got.W2}, {s.W2Y, got.W2Y}, {s.W2Y2, got.W2Y2}, {s.WY2, got.WY2}} {
		assert.InDelta(t, pair[0], pair[1], 1e-9*math.Abs(pair[0]))
	}
}

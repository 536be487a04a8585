package stats

import (
	"math"
	"math/rand/v2"
)

// The simulations: dialog sessions of two agent kinds that are sampled at
// different rates and behave differently, sent or not independently at
// their kind's rate (Poisson sampling), as Persona sampled them.

// kind is an agent kind: its share of the sessions, its sample rate and
// how its sessions behave.
type kind struct {
	share, rate float64
	bounce      float64 // P(bounce)
	success     float64 // P(success | not bounced)
	fail        float64 // P(error screen): a rare property
	sitesMean   float64 // mean sites signed in: 1 + a geometric count
	loadMedian  float64 // median dialog load time, ms (log-logistic, shape 3)
}

// kinds: desktops, sampled at 0.1, bounce less and sign in to more sites
// than phones, sampled at 0.5; phones load slower.
var kinds = []kind{
	{share: 0.7, rate: 0.1, bounce: 0.15, success: 0.9, fail: 0.01, sitesMean: 3, loadMedian: 800},
	{share: 0.3, rate: 0.5, bounce: 0.35, success: 0.7, fail: 0.03, sitesMean: 1.5, loadMedian: 2000},
}

// logStay is log P(another site) of the kinds' geometric site counts,
// whose mean is P/(1−P) = sitesMean − 1.
var logStay = func() (l [2]float64) {
	for k, kd := range kinds {
		more := kd.sitesMean - 1
		l[k] = math.Log(more / (1 + more))
	}
	return l
}()

// session is one dialog session: 0/1 properties and counts.
type session struct {
	bounce, success, fail, sites float64
}

// draw draws a session of kind k.
func draw(r *rand.Rand, k int) session {
	kd := kinds[k]
	s := session{sites: 1 + float64(skip(r, logStay[k]))}
	if r.Float64() < kd.bounce {
		s.bounce = 1
	} else if r.Float64() < kd.success {
		s.success = 1
	}
	if r.Float64() < kd.fail {
		s.fail = 1
	}
	return s
}

// loadAt is the kind's load-time quantile function.
func (k kind) loadAt(u float64) float64 {
	return k.loadMedian * math.Cbrt(u/(1-u))
}

// process is what the kinds' sessions are expected to be, mixed in their
// shares: the values a period's estimates are about.
type process struct {
	bounce, success, fail, sites float64
	median, p90                  float64 // load time, ms
}

func newProcess() process {
	var pr process
	var notBounced float64
	for _, k := range kinds {
		pr.bounce += k.share * k.bounce
		notBounced += k.share * (1 - k.bounce)
		pr.success += k.share * (1 - k.bounce) * k.success
		pr.fail += k.share * k.fail
		pr.sites += k.share * k.sitesMean
	}
	pr.success /= notBounced
	pr.median, pr.p90 = mixedLoadAt(0.5), mixedLoadAt(0.9)
	return pr
}

// mixedLoadAt returns the q-quantile of the mixed load times, by bisection
// on their distribution function.
func mixedLoadAt(q float64) float64 {
	cdf := func(x float64) float64 {
		var f float64
		for _, k := range kinds {
			f += k.share / (1 + math.Pow(k.loadMedian/x, 3))
		}
		return f
	}
	lo, hi := 0.0, 1e4
	for range 100 {
		mid := (lo + hi) / 2
		if cdf(mid) < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// skip draws how many trials fail before the next success, for a failure
// probability exp(logMiss).
func skip(r *rand.Rand, logMiss float64) int {
	return int(math.Log(1-r.Float64()) / logMiss)
}

// poisson draws a Poisson count of mean m, by counting exponential gaps:
// a day's sessions of a kind come from a process, and Poisson sampling of
// a Poisson count is a Poisson count.
func poisson(r *rand.Rand, m float64) int {
	c := 0
	for t := r.ExpFloat64(); t < m; t += r.ExpFloat64() {
		c++
	}
	return c
}

// moments are one population's sampled blobs of one kind: their count,
// Σ y and Σ y². All blobs of a kind share its weight, so these give the
// same Sums as adding Blob(w, y) for each blob (TestMomentsAreBlobSums).
type moments struct{ n, y, y2 float64 }

func (m *moments) add(y float64) {
	m.n++
	m.y += y
	m.y2 += y * y
}

// sums returns the Sums of blobs with weight w and these moments.
func (m moments) sums(w float64) Sums {
	return Sums{
		N: m.n, Y: m.y,
		Num: w * m.y, Den: w * m.n,
		W2: w * w * m.n, W2Y: w * w * m.y, W2Y2: w * w * m.y2, WY2: w * m.y2,
	}
}

// byKind holds one population's moments per agent kind.
type byKind [2]moments

// weighted returns the population's Sums with each kind's weight.
func (b *byKind) weighted() Sums { return b.sums(false) }

// unweighted returns the population's Sums with every weight 1, as if the
// sample were the population.
func (b *byKind) unweighted() Sums { return b.sums(true) }

func (b *byKind) sums(unweighted bool) Sums {
	var s Sums
	for i, m := range b {
		w := 1 / kinds[i].rate
		if unweighted {
			w = 1
		}
		s = s.Add(m.sums(w))
	}
	return s
}

// kpis are the statistics a sample gives for the simulated KPIs.
type kpis struct {
	sessions byKind // y = 1: sign-in attempts (a total)
	bounce   byKind // y = bounced: a total and a rate
	success  byKind // over the sessions that did not bounce: a rate
	sites    byKind // y = sites signed in: a mean
}

// add adds one sampled session of kind k.
func (p *kpis) add(k int, s session) {
	p.sessions[k].add(1)
	p.bounce[k].add(s.bounce)
	if s.bounce == 0 {
		p.success[k].add(s.success)
	}
	p.sites[k].add(s.sites)
}

// population is one fixed set of sessions, each kind apart.
type population struct {
	sessions   [2][]session
	truth      session // its totals: Σ bounce, Σ success, ...
	size       float64
	notBounced float64
}

// newPopulation draws a population of about size sessions.
func newPopulation(r *rand.Rand, size int) population {
	var pop population
	for k, kd := range kinds {
		ss := make([]session, int(math.Round(kd.share*float64(size))))
		for i := range ss {
			ss[i] = draw(r, k)
			pop.truth.bounce += ss[i].bounce
			pop.truth.success += ss[i].success
			pop.truth.sites += ss[i].sites
			pop.notBounced += 1 - ss[i].bounce
		}
		pop.sessions[k] = ss
		pop.size += float64(len(ss))
	}
	return pop
}

// sample draws a Poisson sample of the population: each session with its
// kind's rate, skipping from one chosen session to the next.
func (pop *population) sample(r *rand.Rand) kpis {
	var p kpis
	for k, ss := range pop.sessions {
		logMiss := math.Log(1 - kinds[k].rate)
		for i := skip(r, logMiss); i < len(ss); i += 1 + skip(r, logMiss) {
			p.add(k, ss[i])
		}
	}
	return p
}

// segments is how many segments a day is cut into: Total and the
// segments of the seven default lists.
const segments = 46

// day is one day of sessions of the process, sampled: only the sampled
// sessions are drawn, as the unsampled ones are never seen.
type day struct {
	kpis
	segBounce, segFail [segments]byKind
	// loads are the sampled load times, sorted, and weights their blobs'.
	loads, weights []float64
}

// newDay draws a day of about segments×perSegment sessions, every
// segment with the kinds in their shares, its sampled blobs of each kind a
// Poisson count: days of one process differ in size by chance.
func newDay(r *rand.Rand, perSegment int) day {
	var d day
	var sampled [2]int
	for g := range segments {
		for k, kd := range kinds {
			size := int(math.Round(kd.share * float64(perSegment)))
			n := poisson(r, float64(size)*kd.rate)
			sampled[k] += n
			for range n {
				s := draw(r, k)
				d.add(k, s)
				d.segBounce[g][k].add(s.bounce)
				d.segFail[g][k].add(s.fail)
			}
		}
	}
	d.loads, d.weights = sortedLoads(r, sampled)
	return d
}

// sortedLoads draws n[k] load times of each kind, sorted, with their
// weights: sorted uniforms from the running sums of exponential gaps,
// through each kind's quantile function, merged.
func sortedLoads(r *rand.Rand, n [2]int) (loads, weights []float64) {
	var each [2][]float64
	for k, kd := range kinds {
		gaps := make([]float64, n[k]+1)
		var sum float64
		for i := range gaps {
			sum += r.ExpFloat64()
			gaps[i] = sum
		}
		each[k] = make([]float64, n[k])
		for i := range each[k] {
			each[k][i] = kd.loadAt(gaps[i] / sum)
		}
	}
	a, b := each[0], each[1]
	loads = make([]float64, 0, n[0]+n[1])
	weights = make([]float64, 0, n[0]+n[1])
	for len(a) > 0 || len(b) > 0 {
		if len(b) == 0 || (len(a) > 0 && a[0] <= b[0]) {
			loads, weights = append(loads, a[0]), append(weights, 1/kinds[0].rate)
			a = a[1:]
		} else {
			loads, weights = append(loads, b[0]), append(weights, 1/kinds[1].rate)
			b = b[1:]
		}
	}
	return loads, weights
}

// Package stats turns the additive statistics of sampled blobs into
// population estimates with 95% intervals, and judges changes between
// periods. It is the one home of these methods: the KPI runner (compute)
// and the report (reports) both call it, and reports/static/stats.js is
// Total, Rate and Mean for the browser, which re-estimates the range of
// days a reader picks (a browser test holds the two to the same numbers).
// docs/data.md §2.5 describes the same methods for readers of the KPIs.
//
// # Weights and the additive sums
//
// Persona sent a dialog session's blob with probability sample_rate, set
// per user agent, so blob i stands for w_i = 1/sample_rate_i sessions
// (Weight: 1 where the rate is missing, 0 or less, or above 1). With y_i
// the value measured on the blob, a KPI row (day, segment, step) stores
// plain sums over its blobs, the fields of Sums:
//
//	N    = count(*)        Y    = Σ y
//	Num  = Σ w·y           Den  = Σ w
//	W2   = Σ w²            W2Y  = Σ w²·y
//	W2Y2 = Σ w²·y²         WY2  = Σ w·y²
//
// In SQL: count(*), sum(y), sum(w*y), sum(w), sum(w*w), sum(w*w*y),
// sum(w*w*y*y), sum(w*y*y). Sums of disjoint sets of blobs add up
// (Sums.Add), so a range of days, or a set of segments, needs only its
// days' rows. What each kind of KPI stores:
//
//   - A total (sessions, new users, blobs reaching a step): y = 1 for a
//     blob that counts and 0 for one that does not (or y = its count).
//     Total reads Num, W2Y2, WY2 and Y.
//   - A rate (success, bounce): the blobs of the denominator, y = 1 for
//     those also in the numerator. Rate reads N, Y, Num, Den, W2, W2Y and
//     W2Y2 (for 0/1 values W2Y2 = W2Y and WY2 = Num).
//   - A mean (sites signed in): the blobs of the denominator, y = the
//     number. Mean reads N, Num, Den, W2, W2Y and W2Y2.
//   - A quantile (median load time) is not additive: Quantile takes the
//     observations and their weights.
//   - A census count (the server's entries, not sampled) is exact: Census.
//
// # What the estimates are about
//
// A total estimates what happened in the period: the number of sessions
// that were there, sampled or not. Its variance is the sampling variance
// alone, so a census (every w = 1) has none. Rates, means and quantiles
// estimate the behaviour that produced the period's sessions: their
// variances treat the blobs as drawn from it (with replacement), so with
// every w = 1 they are the classical intervals, and two periods can differ
// by chance even when both are censuses. This is what a question such as
// "did the success rate change?" needs. A change of a total, in turn, is
// judged by the sampling variance alone: it says whether the periods'
// counts differed (two censuses that differ at all, differ for sure), not
// whether the behaviour behind them did.
//
// # Methods
//
// Total: the Horvitz–Thompson estimate T = Σ w·y with the Poisson-sampling
// variance Σ w·(w−1)·y² and the interval T ± Z·√Var, its lower end not
// below Y (the sampled blobs themselves) nor 0.
//
// Rate and Mean: the ratio (Hájek) estimate p = Σ w·y / Σ w with the
// linearised variance Σ w²·(y−p)² / (Σ w)². A mean takes p ± Z·√Var (with
// the correction N/(N−1)). A rate takes the Wilson score interval on the
// rate's effective sample size, which stays in [0, 1] and behaves near 0
// and 1 and on small segments.
//
// Effective sizes: Kish's (Σ w)²/Σ w² counts what the weights cost and
// ignores the values, which misjudges the variance when the values go with
// the weights (phones, sampled five times as often as desktops, bounce
// more). The design effective size p·(1−p)/Var, the number of unweighted
// blobs that would give p the linearised variance Var, does not (Korn and
// Graubard 1998). Rate and Quantile use it, at most N; Kish's stands in
// where Var is 0 (p is 0 or 1), and caps it where fewer than 10 blobs
// have, or lack, the property, too few to judge Var by. With every w = 1
// both are N. With the tests' simulated sessions (desktops at 0.1
// bouncing less than phones at 0.5), Wilson on Kish's size alone covered
// 97% rather than 95% and flagged 2 to 4% of unchanged rates, not 5%.
//
// Quantile: the weighted quantile, the first value at which the running
// weight reaches q·Σ w, with the order-statistic interval at the shares
// q ± Z·√(q·(1−q)/n) of the weight, n the effective size of the share at
// or below the estimate (Woodruff 1952), rounded outwards; no interval
// when those shares fall outside the data.
//
// Changes b − a between two periods: DiffTotals and DiffMeans take the
// normal interval d ± Z·√(Var_a + Var_b) and the p-value of its z (for a
// total, Var = W2Y2, which adds the count's own Poisson variance to the
// sampling variance: it asks whether the process changed, so a census
// moves by chance too);
// DiffRates takes Newcombe's hybrid score interval, made of the two
// periods' Wilson intervals, and the p-value that inverts it. Either way
// the interval excludes 0 exactly when P < 0.05. Two estimates known only
// by their intervals (two days' quantiles, which have no sums to pool)
// are compared by DiffIntervals, the same construction (MOVER) on any
// intervals. Compare like with like: the same weekday a week before, or
// seven days with the seven before.
//
// Many changes at once (every segment of a KPI) light up by chance unless
// corrected: BenjaminiHochberg flags the changes to colour at a
// false-discovery rate.
//
// # Results without data
//
// A rate, mean or change over no blobs is undefined: its Value (and P) is
// NaN, and the caller shows nothing, as for a missing row. A value whose
// ends are NaN has no interval (too few blobs): the caller shows the value
// without an error bar and does not colour its change. Total is always
// defined: over no blobs it is 0 with the interval [0, 0].
//
// # References
//
// Horvitz, D. G. and Thompson, D. J. (1952), A generalization of sampling
// without replacement from a finite universe, JASA 47, 663–685. Hájek, J.
// (1971), comment in Foundations of Statistical Inference. Kish, L.
// (1965), Survey Sampling. Wilson, E. B. (1927), Probable inference, the
// law of succession, and statistical inference, JASA 22, 209–212. Woodruff,
// R. S. (1952), Confidence intervals for medians and other position
// measures, JASA 47, 635–646. Korn, E. L. and Graubard, B. I. (1998),
// Confidence intervals for proportions with small expected number of
// positive counts estimated from survey data, Survey Methodology 24,
// 193–201. Newcombe, R. G. (1998), Interval estimation for the difference
// between independent proportions: comparison of eleven methods,
// Statistics in Medicine 17, 873–890 (method 10). Benjamini, Y. and
// Hochberg, Y. (1995), Controlling the false discovery rate, JRSS B 57,
// 289–300. Zou, G. Y. and Donner, A. (2008), Construction of confidence
// limits about effect measures: a general approach, Statistics in
// Medicine 27, 1693–1702.
package stats

// stats.js: the estimates and 95% intervals of package stats (Go) for the
// browser, which re-estimates a range of days the reader picks from the
// days' additive sums. It follows stats/estimate.go line by line, and a
// browser test (reports/statsjs_test.go) checks that both give the same
// numbers; a change to one is a change to the other.
//
// A sums object holds the fields of stats.Sums: N, Y, Num, Den, W2, W2Y,
// W2Y2, WY2. An estimate is {v, lo, hi}; v is NaN without an estimate,
// lo and hi are NaN without an interval.
var KPIStats = (function () {
  'use strict';
  var Z = 1.959963984540054;
  var FEW_BLOBS = 10;
  var NAN = Number.NaN;

  function add(a, b) {
    return {
      N: a.N + b.N, Y: a.Y + b.Y, Num: a.Num + b.Num, Den: a.Den + b.Den,
      W2: a.W2 + b.W2, W2Y: a.W2Y + b.W2Y, W2Y2: a.W2Y2 + b.W2Y2, WY2: a.WY2 + b.WY2
    };
  }
  function zero() { return { N: 0, Y: 0, Num: 0, Den: 0, W2: 0, W2Y: 0, W2Y2: 0, WY2: 0 }; }

  // nonNegative sets what rounding left of a zero variance to 0.
  function nonNegative(v, scale) { return v < 1e-12 * Math.abs(scale) ? 0 : v; }
  function kish(den, w2) { return w2 > 0 ? den * den / w2 : 0; }
  function linVar(s) {
    var p = s.Num / s.Den;
    var v = nonNegative(s.W2Y2 - 2 * p * s.W2Y + p * p * s.W2, s.W2Y2 + p * p * s.W2);
    return v / (s.Den * s.Den);
  }
  function effectiveSize(p, v, k, n, fewer) {
    if (!(v > 0 && p > 0 && p < 1)) return k;
    var size = Math.min(n, p * (1 - p) / v);
    if (fewer < FEW_BLOBS) size = Math.min(size, k);
    return size;
  }
  function wilson(p, n, z) {
    var slack = 1e-9;
    if (!(n > 0) || !(p >= -slack && p <= 1 + slack)) return [NAN, NAN];
    p = Math.min(1, Math.max(0, p));
    var z2 = z * z, d = 1 + z2 / n;
    var centre = (p + z2 / (2 * n)) / d;
    var half = z / d * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return [Math.max(0, Math.min(p, centre - half)), Math.min(1, Math.max(p, centre + half))];
  }

  // total: the Horvitz–Thompson total Σ w·y, T ± Z·√(Σ w·(w−1)·y²), its
  // lower end not below the sampled Σ y nor 0.
  function total(s) {
    var t = s.Num;
    var h = Z * Math.sqrt(nonNegative(s.W2Y2 - s.WY2, s.W2Y2));
    return { v: t, lo: Math.min(t, Math.max(t - h, Math.max(s.Y, 0))), hi: t + h };
  }
  // rate: Σ w·y / Σ w with the Wilson interval on its effective size.
  function rate(s) {
    if (!(s.Den > 0)) return { v: NAN, lo: NAN, hi: NAN };
    var p = s.Num / s.Den;
    var n = effectiveSize(p, linVar(s), kish(s.Den, s.W2), s.N, Math.min(s.Y, s.N - s.Y));
    var w = wilson(p, n, Z);
    return { v: p, lo: w[0], hi: w[1] };
  }
  // mean: Σ w·y / Σ w ± Z·√(N/(N−1)·linearised variance).
  function mean(s) {
    if (!(s.Den > 0)) return { v: NAN, lo: NAN, hi: NAN };
    var p = s.Num / s.Den;
    if (!(s.N >= 2)) return { v: p, lo: NAN, hi: NAN };
    var h = Z * Math.sqrt(linVar(s) * s.N / (s.N - 1));
    return { v: p, lo: p - h, hi: p + h };
  }

  return { add: add, zero: zero, total: total, rate: rate, mean: mean, Z: Z };
})();

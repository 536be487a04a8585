// report.js: the interactive part of the pages, written for this report.
// A classic script (ES modules do not load from file://) with no
// dependencies. On every page it marks tables that scroll sideways. On a
// KPI page it reads the page's data from <script type="application/json"
// id="kpi-data">, and redraws the charts, legends, funnel and table when the
// reader picks a date range, a granularity, a segmentation or segments. Text
// from the data only ever reaches the page through textContent or
// setAttribute on non-URL attributes, never as markup.
(function () {
  'use strict';

  var SVGNS = 'http://www.w3.org/2000/svg';
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  var DAY_MS = 864e5;

  // A table box that is narrower than its table gets a hint above it,
  // besides the edge shadows report.css draws.
  function markScrollers() {
    var boxes = document.querySelectorAll('.table-scroll');
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i], wide = box.scrollWidth > box.clientWidth + 1;
      var hint = box.previousElementSibling, has = hint !== null && hint.classList.contains('scroll-hint');
      if (wide && !has) {
        hint = document.createElement('p');
        hint.className = 'scroll-hint';
        hint.setAttribute('aria-hidden', 'true');
        hint.textContent = 'Scroll sideways for more columns →';
        box.parentNode.insertBefore(hint, box);
      } else if (!wide && has) {
        hint.parentNode.removeChild(hint);
      }
    }
  }
  markScrollers();
  window.addEventListener('resize', markScrollers);
  document.addEventListener('toggle', markScrollers, true);

  var source = document.getElementById('kpi-data');
  if (!source) return;
  var data;
  try {
    data = JSON.parse(source.textContent);
  } catch (e) {
    return;
  }
  if (!data.days || data.days.length === 0) return;

  var N = data.days.length;
  var $ = function (id) { return document.getElementById(id); };
  var ui = {
    controls: $('controls'), segmentation: $('segmentation'), stepChoice: $('step-choice'), step: $('step'),
    grain: $('grain'), from: $('from'), to: $('to'), shareChoice: $('share-choice'), asShare: $('as-share'),
    bandChoice: $('band-choice'), band: $('band'),
    chart: $('chart'), legend: $('legend'), caption: $('view-caption'), milestoneList: $('milestone-list'),
    flow: $('flow'), flowLegend: $('flow-legend'), flowCaption: $('flow-caption'),
    funnel: $('funnel'), funnelBody: $('funnel-body'), funnelCaption: $('funnel-caption'),
    table: $('data-table'), tableCaption: $('table-caption'), csvView: $('csv-view')
  };
  var stepped = data.steps.length > 1 || (data.steps.length === 1 && data.steps[0] !== '');

  // ---- Estimates: a total, rate or mean is estimated for any period from
  // its days' sums (stats.js, package stats's Total, Rate and Mean); a
  // quantile carries each day's interval. ----

  var METHOD = data.estimate || 'sample';
  var ADDITIVE = (METHOD === 'total' || METHOD === 'rate' || METHOD === 'mean') && typeof KPIStats !== 'undefined';
  var FIELDS = ['N', 'Y', 'Num', 'Den', 'W2', 'W2Y', 'W2Y2', 'WY2'];
  // A funnel's steps proper come first; its asides after them.
  var FS = data.kind === 'funnel' ? data.funnelSteps : data.steps.length;

  // sumsAt is a segment's sums of step si on day i, null without a row.
  // N, Den and W2 may be the segment's, shared by its steps proper; with
  // values all 0 or 1, W2Y2 and WY2 are W2Y and Num (pages.go, segmentSums).
  function sumsAt(m, si, i) {
    var own = m.s[si], base = si < FS ? m.base : null, out = KPIStats.zero(), any = false;
    FIELDS.forEach(function (f) {
      var col = own[f] || (base && base[f]);
      if (col && col[i] !== null && col[i] !== undefined) { out[f] = col[i]; any = true; }
    });
    if (!any) return null;
    if (m.binary) { out.W2Y2 = out.W2Y; out.WY2 = out.Num; }
    return out;
  }
  // estimate is an estimate as {v, lo, hi} with null for NaN.
  function estimate(method, sums) {
    var e = KPIStats[method](sums), nul = function (x) { return isNaN(x) ? null : x; };
    return { v: nul(e.v), lo: nul(e.lo), hi: nul(e.hi) };
  }
  // expand gives each segment its sums per step and day, and its daily
  // values from them: a count is 0 on a day with data but no row.
  function expand() {
    if (!ADDITIVE) return;
    data.segmentations.forEach(function (sg) {
      sg.segments.forEach(function (m) {
        if (!m.s) return;
        m.sums = m.s.map(function (_, si) { return data.days.map(function (_, i) { return sumsAt(m, si, i); }); });
        m.v = m.sums.map(function (col) {
          return col.map(function (x, i) {
            if (x === null) return data.unit === 'count' && data.covered[i] ? 0 : null;
            return estimate(METHOD, x).v;
          });
        });
      });
    });
  }
  expand();
  // shareSums are the sums of a segment's share of Total for values of 0
  // or 1: a rate over Total's counted blobs of being in the segment.
  function shareSums(seg, tot) {
    if (seg === null || tot === null) return null;
    return { N: tot.Y, Y: seg.Y, Num: seg.Num, Den: tot.Num, W2: tot.W2Y, W2Y: seg.W2Y, W2Y2: seg.W2Y, WY2: seg.Num };
  }
  function sumsOf(m, si) {
    return m.sums ? function (i) { return m.sums[si][i]; } : null;
  }

  // ---- Calendar: days are YYYY-MM-DD strings in UTC. ----

  function toTime(day) { return Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10)); }
  function fromTime(t) { return new Date(t).toISOString().slice(0, 10); }
  // The day axis holds the days with data and the short runs of days
  // without (data.go, setDays); a longer run is cut out of it. These find
  // days on it by date.
  function atOrAfter(day) {
    var lo = 0, hi = N;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (data.days[mid] < day) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  function atOrBefore(day) {
    var i = atOrAfter(day);
    return i < N && data.days[i] === day ? i : i - 1;
  }
  // since is the first index within n days up to day index i.
  function since(i, n) { return atOrAfter(fromTime(toTime(data.days[i]) - (n - 1) * DAY_MS)); }
  // cutBefore says whether days were cut out of the axis before index i.
  function cutBefore(i) { return i > 0 && toTime(data.days[i]) - toTime(data.days[i - 1]) > DAY_MS; }
  function calendarDays(a, b) { return Math.round((toTime(data.days[b]) - toTime(data.days[a])) / DAY_MS) + 1; }

  var defaultFrom = since(N - 1, data.defaultDays);
  var defaultPreset = defaultFrom === 0 ? 'all' : String(data.defaultDays);
  var state;
  function resetState() {
    state = { seg: 0, step: data.defaultStep, from: defaultFrom, to: N - 1,
      preset: defaultPreset, hidden: {}, share: false, grain: 'day', band: true };
  }
  resetState();

  // ---- Formatting: the same rules as format.go. ----

  function group(s) {
    var neg = s.charAt(0) === '-';
    if (neg) s = s.slice(1);
    var parts = s.split('.');
    var i = parts[0], out = '';
    while (i.length > 3) {
      out = ',' + i.slice(-3) + out;
      i = i.slice(0, -3);
    }
    return (neg ? '-' : '') + i + out + (parts.length > 1 ? '.' + parts[1] : '');
  }
  function trimZeros(s) {
    return s.indexOf('.') < 0 ? s : s.replace(/0+$/, '').replace(/\.$/, '');
  }
  function fmtValue(unit, v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    switch (unit) {
      case 'rate': return (v * 100).toFixed(1) + '%';
      case 'mean': return group(v.toFixed(2));
      case 'median': return group(trimZeros(v.toFixed(1)));
      case 'ms':
        var a = Math.abs(v);
        if (a >= 2 * 3600e3) return group((v / 3600e3).toFixed(1)) + ' h';
        if (a >= 120e3) return (v / 60e3).toFixed(1) + ' min';
        if (a >= 10e3) return (v / 1e3).toFixed(1) + ' s';
        return group(v.toFixed(0)) + ' ms';
    }
    return group(v.toFixed(0));
  }
  function fmtNum(v) {
    if (v === null || v === undefined) return '–';
    return v === Math.trunc(v) ? fmtValue('count', v) : group(v.toFixed(2));
  }
  function decimals(step) {
    var d = 0;
    for (var s = step; d < 6 && Math.abs(s - Math.round(s)) > 1e-9; s *= 10) d++;
    return d;
  }
  function fmtTick(unit, v, step) {
    var d = decimals(step);
    if (unit === 'rate') return (v * 100).toFixed(Math.max(0, d - 2)) + '%';
    if (Math.abs(v) >= 1e6 && d === 0) return trimZeros((v / 1e6).toFixed(2)) + 'M';
    return group(v.toFixed(d));
  }
  function pct(a, b) {
    return b ? (a / b * 100).toFixed(1) + '%' : '–';
  }
  function dayLabel(day) {
    return MONTHS[parseInt(day.slice(5, 7), 10) - 1] + ' ' + parseInt(day.slice(8, 10), 10);
  }

  // ---- Calendar. ----

  // isoWeek is a day's ISO week: its Monday and its number (weeks belong
  // to the year of their Thursday).
  function isoWeek(day) {
    var t = toTime(day), dow = (new Date(t).getUTCDay() + 6) % 7;
    var monday = t - dow * DAY_MS, thursday = monday + 3 * DAY_MS;
    var year = new Date(thursday).getUTCFullYear();
    var week = Math.floor((thursday - Date.UTC(year, 0, 1)) / DAY_MS / 7) + 1;
    return { monday: fromTime(monday), year: year, week: week };
  }
  function monthDays(day) {
    return new Date(Date.UTC(+day.slice(0, 4), +day.slice(5, 7), 0)).getUTCDate();
  }

  // ---- Geometry: the same rules as chart.go. ----

  function niceTicks(hi, n) {
    if (!(hi > 0)) hi = 1;
    var raw = hi / n;
    var mag = Math.pow(10, Math.floor(Math.log(raw) / Math.LN10));
    var step = 10 * mag;
    var ms = [1, 2, 2.5, 5];
    for (var i = 0; i < ms.length; i++) {
      if (ms[i] * mag >= raw) { step = ms[i] * mag; break; }
    }
    var ticks = [];
    for (var v = 0; ; v += step) {
      ticks.push(v);
      if (v >= hi - step * 1e-9) break;
    }
    return { ticks: ticks, step: step };
  }
  function msScale(hi) {
    if (hi >= 2 * 3600e3) return { div: 3600e3, label: 'Hours' };
    if (hi >= 120e3) return { div: 60e3, label: 'Minutes' };
    if (hi >= 10e3) return { div: 1e3, label: 'Seconds' };
    return { div: 1, label: 'Milliseconds' };
  }
  // labelStep is how many points apart x labels go: days in calendar steps,
  // weeks and months in steps that divide a year.
  function labelStep(n, width, minPx) {
    if (n <= 1) return 1;
    var per = width / (n - 1);
    var steps = state.grain === 'week' || state.grain === 'month' ? [1, 2, 3, 4, 6, 12, 24, 52] : [1, 2, 7, 14, 28, 56, 91, 182, 364];
    for (var i = 0; i < steps.length; i++) if (steps[i] * per >= minPx) return steps[i];
    return steps[steps.length - 1] * 2;
  }
  function textWidth(s, size) {
    var w = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charAt(i);
      if (c >= '0' && c <= '9') w += 0.64;
      else if (",.:;' ()|!il".indexOf(c) >= 0) w += 0.34;
      else if ('%MWmw'.indexOf(c) >= 0) w += 0.95;
      else if (c >= 'A' && c <= 'Z') w += 0.72;
      else w += 0.6;
    }
    return w * size;
  }
  var AXIS_TITLE_X = 14, BADGE_R = 8, BADGE_ROW_H = 18, BADGE_ROWS = 3;
  // Browsers tell a page it prints before they lay it out for the paper,
  // so charts are drawn for a page's width then: A4 or Letter less margins
  // and the card's padding.
  var PRINT_W = 660, printing = false;
  function widthOf(box) { return printing ? PRINT_W : Math.max(280, Math.round(box.clientWidth || 960)); }
  function chartHeight(w) { return Math.round(Math.min(420, Math.max(260, w * 0.42))); }
  function badgeRow(rowEnd, x) {
    var best = 0;
    for (var r = 0; r < rowEnd.length; r++) {
      if (rowEnd[r] + 2 <= x - BADGE_R) return r;
      if (rowEnd[r] < rowEnd[best]) best = r;
    }
    return rowEnd.length < BADGE_ROWS ? rowEnd.length : best;
  }

  function svg(name, attrs, parent) {
    var e = document.createElementNS(SVGNS, name);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (parent) parent.appendChild(e);
    return e;
  }
  function html(name, attrs, parent, text) {
    var e = document.createElement(name);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function r1(v) { return Math.round(v * 10) / 10; }

  // ---- Periods: the points of the chart and the rows of the table. ----

  function coveredIn(a, b) {
    var n = 0;
    for (var i = a; i <= b; i++) if (data.covered[i]) n++;
    return n;
  }

  // periods splits the chosen days into the view's points: days, days with
  // the 7 days that end on them, ISO weeks (Monday first) or months. A week
  // or month that the range or the data cuts, or that has days without
  // data, is partial; so is a 7-day window with fewer than 7 days of data.
  function periods() {
    var out = [], i;
    if (state.grain === 'day' || state.grain === 'avg7') {
      for (i = state.from; i <= state.to; i++) {
        var p = { from: i, to: i, at: i, want: 1, short: dayLabel(data.days[i]), year: data.days[i].slice(0, 4), label: data.days[i],
          cut: cutBefore(i) };
        if (state.grain === 'avg7') {
          p.from = since(i, 7);
          p.want = 7;
        }
        p.have = coveredIn(p.from, p.to);
        p.partial = state.grain === 'avg7' && p.have < 7;
        out.push(p);
      }
      return out;
    }
    var key = state.grain === 'week' ? function (d) { return isoWeek(d).monday; } : function (d) { return d.slice(0, 7); };
    for (i = state.from; i <= state.to;) {
      var k = key(data.days[i]), j = i;
      while (j < state.to && key(data.days[j + 1]) === k) j++;
      var q = { from: i, to: j, at: i, have: coveredIn(i, j), cut: cutBefore(i) };
      if (state.grain === 'week') {
        var w = isoWeek(data.days[i]), sunday = fromTime(toTime(w.monday) + 6 * DAY_MS);
        q.want = 7;
        q.short = dayLabel(w.monday);
        q.year = w.monday.slice(0, 4);
        q.label = w.year + '-W' + (w.week < 10 ? '0' : '') + w.week + ' (' + dayLabel(w.monday) + ' to ' + dayLabel(sunday) + ')';
        q.start = w.monday;
      } else {
        q.want = monthDays(data.days[i]);
        q.short = MONTHS[parseInt(k.slice(5, 7), 10) - 1];
        q.year = k.slice(0, 4);
        q.label = q.short + ' ' + q.year;
        q.start = k + '-01';
      }
      q.partial = q.have < q.want;
      out.push(q);
      i = j + 1;
    }
    return out;
  }
  function partialText(p) {
    return state.grain === 'avg7' ? p.have + ' of 7 days with data' : 'partial: ' + p.have + ' of ' + p.want + ' days';
  }

  // combine is a series' value over days a to b, as site.aggregate in Go:
  // with numerators and denominators their sums' ratio; a count's sum (its
  // mean per day for a 7-day average); else the mean of the values, which
  // only a single day reaches since quantiles are not combined. It returns
  // the summed numerator and denominator too, and the 95% interval (lo,
  // hi) and sampled blobs behind it (obs) where known. A series with sums
  // is estimated from its days' summed sums instead (estimated).
  function combine(s, a, b, perDay) {
    if (s.est) return estimated(s, a, b, perDay);
    var lo = s.lo && a === b ? s.lo[a] : null, hi = s.hi && a === b ? s.hi[a] : null;
    if (a === b) return { v: s.v[a], n: s.n ? s.n[a] : null, d: s.d ? s.d[a] : null, lo: lo, hi: hi, obs: null };
    var sum = 0, num = 0, den = 0, vals = 0, pairs = 0, days = 0;
    for (var i = a; i <= b; i++) {
      if (data.covered[i]) days++;
      var v = s.v[i];
      if (v !== null) { sum += v; vals++; }
      if (s.n && s.d && s.n[i] !== null && s.d[i] !== null) { num += s.n[i]; den += s.d[i]; pairs++; }
    }
    var out = { v: null, n: pairs ? num : null, d: pairs ? den : null, lo: null, hi: null, obs: null };
    if (data.unit === 'count' && !s.derived) {
      if (days) out.v = perDay ? sum / days : sum;
    } else if (pairs > 0 && pairs === vals && den !== 0) {
      out.v = num / den;
    } else if (vals) {
      out.v = sum / vals;
    }
    return out;
  }

  // estimated is a series with sums over days a to b: their sums added and
  // estimated by stats.js, a total per day for a 7-day average.
  function estimated(s, a, b, perDay) {
    var sums = KPIStats.zero(), rows = 0, days = 0;
    for (var i = a; i <= b; i++) {
      if (data.covered[i]) days++;
      var x = s.est.at(i);
      if (x !== null) { sums = KPIStats.add(sums, x); rows++; }
    }
    var total = s.est.method === 'total';
    var out = { v: null, lo: null, hi: null, n: rows ? sums.Num : null, d: rows && !total ? sums.Den : null,
      obs: total ? sums.Y : sums.N };
    if (!rows && !(total && days)) return out;
    var e = estimate(s.est.method, sums), k = total && perDay && days ? 1 / days : 1;
    out.v = e.v === null ? null : e.v * k;
    out.lo = e.lo === null ? null : e.lo * k;
    out.hi = e.hi === null ? null : e.hi * k;
    return out;
  }

  // inPeriods turns daily series into the view's periods.
  function inPeriods(list, ps) {
    var perDay = state.grain === 'avg7';
    return list.map(function (s) {
      var o = { key: s.key, name: s.name, color: s.color, dash: s.dash || '', segment: s.segment, step: s.step, derived: s.derived,
        aside: s.aside, v: [], n: [], d: [], lo: [], hi: [], obs: [], daily: s };
      ps.forEach(function (p) {
        var c = combine(s, p.from, p.to, perDay);
        o.v.push(c.v); o.n.push(c.n); o.d.push(c.d); o.lo.push(c.lo); o.hi.push(c.hi); o.obs.push(c.obs);
      });
      return o;
    });
  }

  // ---- The series the current choices select. ----

  function segmentation() { return data.segmentations[state.seg]; }
  // In the Total view a funnel or quantiles KPI shows one line per step;
  // segmented, one line per segment for the chosen step.
  function isStepView() { return stepped && segmentation().name === 'Total'; }
  // Segments of a count can be read as shares of Total, which puts small
  // segments on the same scale as large ones.
  function shareable() {
    return data.unit === 'count' && segmentation().name !== 'Total' && !(data.kind === 'funnel' && state.step < 0);
  }
  function asShare() { return state.share && shareable(); }
  function viewUnit() {
    return (data.kind === 'funnel' && !isStepView() && state.step < 0) || asShare() ? 'rate' : data.unit;
  }

  // allSeries lists every daily line the current segmentation offers,
  // hidden or not. A series may carry n and d, from which periods are
  // combined; derived ones (shares) always do.
  function allSeries() {
    var seg = segmentation(), out = [];
    if (isStepView()) {
      var t = seg.segments[0];
      data.steps.forEach(function (step, i) {
        out.push({ key: 'step' + i, name: step, color: data.stepColors[i], dash: data.stepDashes[i], segment: t.name, step: step,
          v: t.v[i], n: t.n ? t.n[i] : null, d: t.d ? t.d[i] : null, lo: t.lo ? t.lo[i] : null, hi: t.hi ? t.hi[i] : null,
          est: t.sums ? { method: METHOD, at: sumsOf(t, i) } : null, aside: data.kind === 'funnel' && i >= FS });
      });
      return out;
    }
    seg.segments.forEach(function (m) {
      if (data.kind === 'funnel' && state.step < 0) {
        var first = m.v[0], last = m.v[FS - 1];
        var v = first.map(function (f, i) { return f > 0 && last[i] !== null ? last[i] / f : null; });
        // Every step proper sums the blobs that entered the flow, so the
        // last step's sums estimate the share completing it as a rate.
        out.push({ key: m.name, name: m.name, color: m.color, segment: m.name, step: 'complete all steps',
          v: v, n: last, d: first, derived: true, est: m.sums ? { method: 'rate', at: sumsOf(m, FS - 1) } : null });
        return;
      }
      var si = stepped ? Math.max(0, state.step) : 0;
      if (asShare()) {
        var tot = data.segmentations[0].segments[0], total = tot.v[si];
        var est = m.sums && m.binary && tot.sums && tot.binary ?
          { method: 'rate', at: function (i) { return shareSums(m.sums[si][i], tot.sums[si][i]); } } : null;
        out.push({ key: m.name, name: m.name, color: m.color, segment: m.name, step: data.steps[si] || '',
          v: m.v[si].map(function (x, i) { return x !== null && total[i] > 0 ? x / total[i] : null; }),
          n: m.v[si], d: total, derived: true, est: est });
        return;
      }
      out.push({ key: m.name, name: m.name, color: m.color, segment: m.name, step: data.steps[si] || '',
        v: m.v[si], n: m.n ? m.n[si] : null, d: m.d ? m.d[si] : null, lo: m.lo ? m.lo[si] : null, hi: m.hi ? m.hi[si] : null,
        est: m.sums ? { method: METHOD, at: sumsOf(m, si) } : null });
    });
    return out;
  }
  function viewKey() { return segmentation().name + '|' + (isStepView() ? 'steps' : state.step); }
  function hiddenSet() {
    var k = viewKey();
    if (!state.hidden[k]) state.hidden[k] = {};
    return state.hidden[k];
  }
  function visibleSeries() {
    var h = hiddenSet();
    return allSeries().filter(function (s) { return !h[s.key]; });
  }
  // visibleSegments are the segments the funnel and the flow add up.
  function visibleSegments() {
    var seg = segmentation(), h = hiddenSet();
    return isStepView() ? [seg.segments[0]] : seg.segments.filter(function (m) { return !h[m.name]; });
  }
  // flowSeries is each step after the first as a share of the first, per
  // day, over the visible segments; with sums, a rate of the blobs that
  // entered the flow (their summed sums).
  function flowSeries() {
    var segs = visibleSegments(), steps = data.steps.slice(0, FS);
    var sums = steps.map(function () { return data.days.map(function () { return null; }); });
    segs.forEach(function (m) {
      m.v.slice(0, FS).forEach(function (vals, si) {
        vals.forEach(function (v, i) { if (v !== null) sums[si][i] = (sums[si][i] || 0) + v; });
      });
    });
    var pooled = function (k) {
      return function (i) {
        var out = null;
        segs.forEach(function (m) {
          var x = m.sums ? m.sums[k][i] : null;
          if (x !== null) out = out === null ? x : KPIStats.add(out, x);
        });
        return out;
      };
    };
    return steps.slice(1).map(function (step, j) {
      var k = j + 1, n = sums[k], d = sums[0];
      return { key: 'flow' + k, name: step, color: data.stepColors[k], dash: data.stepDashes[k], segment: 'Total', step: step,
        v: n.map(function (x, i) { return x !== null && d[i] > 0 ? x / d[i] : null; }), n: n, d: d, derived: true,
        est: segs.length && segs[0].sums ? { method: 'rate', at: pooled(k) } : null };
    });
  }

  // coincidences notes, for each line, the earlier line it equals on more
  // than half of the points both have, where one hides the other; as in
  // chart.go.
  function coincidences(list) {
    return list.map(function (s, j) {
      var best = -1, bestSame = 0, bestBoth = 0;
      for (var i = 0; i < j; i++) {
        var same = 0, both = 0;
        for (var k = 0; k < s.v.length; k++) {
          if (s.v[k] !== null && list[i].v[k] !== null) {
            both++;
            if (s.v[k] === list[i].v[k]) same++;
          }
        }
        if (same * 2 > both && same > bestSame) { best = i; bestSame = same; bestBoth = both; }
      }
      if (best < 0) return '';
      var what = state.grain === 'week' ? 'weeks' : state.grain === 'month' ? 'months' : 'days';
      return bestSame === bestBoth ? 'same as “' + list[best].name + '” on every ' + what.slice(0, -1) + ' shown'
        : 'same as “' + list[best].name + '” on ' + bestSame + ' of ' + bestBoth + ' ' + what;
    });
  }

  // ---- Milestones. ----

  function milestonesInRange() {
    var a = data.days[state.from], b = data.days[state.to];
    return data.milestones.filter(function (m) { return m.to >= a && m.from <= b; });
  }
  function milestonesOn(p) {
    var a = data.days[p.from], b = data.days[p.to];
    if (state.grain === 'avg7') a = b;
    return data.milestones.filter(function (m) { return m.to >= a && m.from <= b; });
  }
  // periodAt is the index of the period holding day index i, clamped.
  function periodAt(ps, i) {
    for (var k = 0; k < ps.length; k++) if (i <= ps[k].to) return k;
    return ps.length - 1;
  }

  function markMilestone(n, on) {
    var all = document.querySelectorAll('.marker');
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute('data-n') === String(n)) all[i].classList.toggle('active', on);
    }
    var items = ui.milestoneList ? ui.milestoneList.querySelectorAll('li') : [];
    for (var j = 0; j < items.length; j++) {
      if (items[j].getAttribute('data-n') === String(n)) items[j].classList.toggle('active', on);
    }
  }

  // ---- Drawing. ----

  var charts = {}; // box id → its readout state: {hover, pinned, show}

  // lineChart draws series (already in periods) into box, with the
  // milestones, and wires the readout to pointer, touch and keyboard. Each
  // series is drawn in its own group, so a later layer (an interval band
  // around a line) can go under its line.
  // bandPath outlines a series' interval: along the upper ends and back
  // along the lower ones, a shape per run of points that have both, lifted
  // at the axis's cuts; a point alone gets a narrow bar. As drawBand in
  // chart.go.
  function bandPath(s, n, x, y, cutAt) {
    if (!s.lo || !s.hi) return '';
    var has = function (k) { return s.lo[k] !== null && s.hi[k] !== null && s.v[k] !== null; };
    var d = '';
    for (var i = 0; i < n;) {
      if (!has(i)) { i++; continue; }
      var j = i;
      while (j + 1 < n && has(j + 1) && !cutAt[j + 1]) j++;
      if (i === j) {
        d += 'M' + r1(x(i) - 2) + ' ' + y(s.hi[i]) + 'H' + r1(x(i) + 2) + 'V' + y(s.lo[i]) + 'H' + r1(x(i) - 2) + 'Z';
      } else {
        for (var k = i; k <= j; k++) d += (k === i ? 'M' : 'L') + x(k) + ' ' + y(s.hi[k]);
        for (k = j; k >= i; k--) d += 'L' + x(k) + ' ' + y(s.lo[k]);
        d += 'Z';
      }
      i = j + 1;
    }
    return d;
  }

  function lineChart(box, opt) {
    var series = opt.series, unit = opt.unit, ps = opt.periods;
    var W = widthOf(box);
    var narrow = W < 560, H = chartHeight(W);
    var n = ps.length;
    var hi = 0, any = false;
    series.forEach(function (s) {
      s.v.forEach(function (v, k) {
        if (v !== null) { any = true; if (v > hi) hi = v; }
        if (opt.bands && s.hi && s.hi[k] !== null && s.hi[k] > hi) hi = s.hi[k];
      });
    });
    var scale = unit === 'ms' ? msScale(hi) : { div: 1, label: null };
    var nt = niceTicks(hi / scale.div, narrow ? 4 : 5), top = nt.ticks[nt.ticks.length - 1] * scale.div;
    var labels = nt.ticks.map(function (v) { return fmtTick(unit, v, nt.step); });
    var L = Math.ceil(Math.max.apply(null, labels.map(function (l) { return textWidth(l, 12); }))) + AXIS_TITLE_X + 20;
    var R = W - (narrow ? 12 : 24);
    var x = function (k) { return n <= 1 ? r1((L + R) / 2) : r1(L + k / (n - 1) * (R - L)); };

    // Milestone badges take rows above the plot, so they never cover each other.
    var marks = [], rowEnd = [];
    opt.milestones.forEach(function (m) {
      // A milestone none of whose days is on the axis (it fell in a cut)
      // is not drawn; as milestoneMarkers in chart.go.
      var i0 = atOrAfter(m.from), i1 = atOrBefore(m.to);
      if (i0 > i1) return;
      var k0 = periodAt(ps, Math.max(state.from, i0)), k1 = periodAt(ps, Math.min(state.to, i1));
      var mk = { m: m, x: x(k0), x2: x(k1) };
      var row = badgeRow(rowEnd, mk.x);
      if (row === rowEnd.length) rowEnd.push(0);
      rowEnd[row] = mk.x + BADGE_R;
      mk.y = BADGE_R + 3 + BADGE_ROW_H * row;
      marks.push(mk);
    });
    var T = rowEnd.length ? BADGE_R + 5 + BADGE_ROW_H * rowEnd.length : 16, B = H - 64;
    var y = function (v) { return r1(B - v / top * (B - T)); };

    var root = svg('svg', { 'class': 'linechart', viewBox: '0 0 ' + W + ' ' + H, role: 'img', tabindex: '0',
      'aria-label': opt.aria + '. Use the left and right arrow keys to read values.' });
    var grid = svg('g', { 'class': 'grid' }, root), ya = svg('g', { 'class': 'axis y' }, root);
    nt.ticks.forEach(function (v, i) {
      svg('line', { x1: L, x2: R, y1: y(v * scale.div), y2: y(v * scale.div) }, grid);
      svg('text', { x: L - 10, y: y(v * scale.div), dy: '0.32em' }, ya).textContent = labels[i];
    });
    var xa = svg('g', { 'class': 'axis x' }, root);
    svg('line', { 'class': 'baseline', x1: L, x2: R, y1: B, y2: B }, xa);
    var every = labelStep(n, R - L, narrow ? 64 : 84), idx = [];
    for (var i = n - 1; i >= 0; i -= every) idx.unshift(i);
    idx.forEach(function (k, j) {
      svg('line', { x1: x(k), x2: x(k), y1: B, y2: B + 5 }, xa);
      svg('text', { x: x(k), y: B + 20 }, xa).textContent = ps[k].short;
      if (j === 0 || ps[k].year !== ps[idx[j - 1]].year) {
        svg('text', { 'class': 'year', x: x(k), y: B + 35 }, xa).textContent = ps[k].year;
      }
    });
    svg('text', { 'class': 'axis-label', transform: 'translate(' + AXIS_TITLE_X + ' ' + (T + B) / 2 + ') rotate(-90)' }, root)
      .textContent = scale.label || opt.ylabel;
    svg('text', { 'class': 'axis-label', x: (L + R) / 2, y: H - 6 }, root).textContent = opt.xlabel;

    var mg = svg('g', { 'class': 'markers' }, root);
    marks.forEach(function (mk) {
      var g = svg('g', { 'class': 'marker', 'data-n': mk.m.n }, mg);
      if (mk.x2 > mk.x) svg('rect', { 'class': 'milestone-span', x: mk.x, y: T, width: r1(mk.x2 - mk.x), height: B - T }, g);
      svg('line', { 'class': 'milestone', x1: mk.x, x2: mk.x, y1: mk.y + BADGE_R, y2: B }, g);
      svg('circle', { 'class': 'badge', cx: mk.x, cy: mk.y, r: BADGE_R }, g);
      svg('text', { 'class': 'badge-num', x: mk.x, y: mk.y, dy: '0.35em' }, g).textContent = mk.m.n;
      // A larger, invisible target for a finger.
      mk.hit = svg('circle', { 'class': 'badge-hit', cx: mk.x, cy: mk.y, r: BADGE_R + 6 }, g);
    });

    // Dots mark the points while they are few enough to tell apart; a
    // partial period's point is hollow.
    var lines = svg('g', { 'class': 'lines' }, root), dots = n <= 62 && series.length <= 5;
    var drawn = {};
    // Where days were cut out of the axis, a dashed line says which, and
    // the lines lift; as the cuts of newLineChart in chart.go.
    var cuts = svg('g', { 'class': 'cuts' }, null), cutAt = ps.map(function (p, k) { return k > 0 && p.cut; });
    cutAt.forEach(function (c, k) {
      if (!c) return;
      var a = fromTime(toTime(data.days[ps[k].at - 1]) + DAY_MS), b = fromTime(toTime(data.days[ps[k].at]) - DAY_MS);
      var cx = r1((x(k - 1) + x(k)) / 2);
      svg('title', {}, svg('line', { 'class': 'axis-cut', x1: cx, x2: cx, y1: T, y2: B + 8 }, cuts)).textContent =
        'No data from ' + a + ' to ' + b + ' (' + dayCount(Math.round((toTime(b) - toTime(a)) / DAY_MS) + 1) + ', left out)';
    });
    if (cuts.firstChild) root.insertBefore(cuts, mg);
    // The 95% interval around each line, under every line.
    var bands = svg('g', { 'class': 'bands' }, null);
    if (opt.bands) {
      series.forEach(function (s) {
        var d = bandPath(s, n, x, y, cutAt);
        if (d) drawn[s.key] = [svg('path', { 'class': 'band ' + s.color, d: d }, bands)];
      });
    }
    if (bands.firstChild) root.insertBefore(bands, lines);
    series.forEach(function (s) {
      var g = svg('g', { 'class': 'series' }, lines), els = drawn[s.key] = drawn[s.key] || [];
      var d = '', pen = false, pts = [];
      for (var k = 0; k < n; k++) {
        var v = s.v[k];
        if (cutAt[k]) pen = false;
        if (v === null) { pen = false; continue; }
        d += (pen ? 'L' : 'M') + x(k) + ' ' + y(v);
        var isolated = !pen && (k + 1 >= n || s.v[k + 1] === null || cutAt[k + 1]);
        if (dots || isolated || ps[k].partial) pts.push([x(k), y(v), ps[k].partial]);
        pen = true;
      }
      if (d) {
        var path = svg('path', { 'class': 'line ' + s.color + ' ' + s.dash, d: d }, g);
        svg('title', {}, path).textContent = s.name;
        els.push(path);
      }
      pts.forEach(function (p) {
        els.push(svg('circle', { 'class': 'dot ' + s.color + (p[2] ? ' partial' : ''), cx: p[0], cy: p[1], r: p[2] ? 3.4 : 2.6 }, g));
      });
    });
    if (!any) svg('text', { 'class': 'empty', x: (L + R) / 2, y: (T + B) / 2 }, root).textContent =
      series.length ? 'No values in this range' : 'Every series is switched off';

    // The readout: follows a mouse; a tap pins it until a tap elsewhere
    // moves it or a tap outside the chart ends it; the arrow keys move it.
    var hov = svg('g', { 'class': 'hover' }, root);
    var overlay = svg('rect', { 'class': 'overlay', x: L, y: T, width: Math.max(1, R - L), height: Math.max(1, B - T) }, root);
    var st = charts[box.id] || (charts[box.id] = { hover: null, pinned: false });
    var readout = html('div', { 'class': 'tip', hidden: '' }, null);
    function place(px, py) {
      readout.hidden = false;
      var tw = readout.offsetWidth;
      var left = px + 14 + tw > box.clientWidth ? px - 14 - tw : px + 14;
      readout.style.left = Math.max(0, Math.min(left, box.clientWidth - tw)) + 'px';
      readout.style.top = Math.max(0, py) + 'px';
    }
    function show(k) {
      st.hover = k;
      clear(hov);
      clear(readout);
      var active = document.querySelectorAll('.marker.active, .milestone-list li.active');
      for (var a = 0; a < active.length; a++) active[a].classList.remove('active');
      if (k === null) {
        readout.hidden = true;
        st.pinned = false;
        return;
      }
      svg('line', { 'class': 'hover-line', x1: x(k), x2: x(k), y1: T, y2: B }, hov);
      var rows = series.map(function (s) { return { s: s, v: s.v[k] }; })
        .filter(function (r) { return r.v !== null; })
        .sort(function (a, b) { return b.v - a.v; });
      rows.forEach(function (r) { svg('circle', { 'class': 'hover-dot ' + r.s.color, cx: x(k), cy: y(r.v), r: 4.5 }, hov); });
      var p = ps[k];
      html('div', { 'class': 'tip-day' }, readout, p.label + (state.grain === 'avg7' ? ', 7-day average' : '') +
        (state.grain === 'day' && !data.covered[p.at] ? ' (no data)' : ''));
      if (p.partial) html('div', { 'class': 'tip-more' }, readout, partialText(p));
      var max = 12;
      rows.slice(0, max).forEach(function (r) {
        var line = html('div', { 'class': 'tip-row' }, readout);
        html('span', { 'class': 'sw ' + r.s.color }, line);
        html('span', { 'class': 'tip-name' }, line, r.s.name);
        html('span', { 'class': 'tip-val' }, line, fmtValue(unit, r.v));
        if (r.s.lo && r.s.lo[k] !== null && r.s.hi[k] !== null) {
          html('span', { 'class': 'tip-iv' }, line, fmtValue(unit, r.s.lo[k]) + '–' + fmtValue(unit, r.s.hi[k]));
        }
      });
      if (opt.bands && rows.some(function (r) { return r.s.lo && r.s.lo[k] !== null; })) {
        html('div', { 'class': 'tip-more' }, readout, 'ranges: 95% intervals');
      }
      if (rows.length > max) html('div', { 'class': 'tip-more' }, readout, '+' + (rows.length - max) + ' more');
      if (!rows.length) html('div', { 'class': 'tip-more' }, readout, 'No values');
      milestonesOn(p).forEach(function (m) { html('div', { 'class': 'tip-milestone' }, readout, m.n + ' · ' + m.label); });
      place(x(k), T);
    }
    st.show = show;
    function showMilestone(mk) {
      clear(hov);
      clear(readout);
      st.hover = null;
      html('div', { 'class': 'tip-day' }, readout, mk.m.n + ' · ' + (mk.m.from === mk.m.to ? mk.m.from : mk.m.from + ' to ' + mk.m.to));
      html('div', { 'class': 'tip-label' }, readout, mk.m.label);
      place(mk.x, mk.y + BADGE_R + 4);
    }
    st.milestone = function (num) {
      for (var j = 0; j < marks.length; j++) if (marks[j].m.n === num) { showMilestone(marks[j]); return true; }
      return false;
    };
    st.hide = function () { if (!st.pinned) { clear(hov); readout.hidden = true; st.hover = null; } };
    function indexAt(ev) {
      var rect = root.getBoundingClientRect();
      var sx = (ev.clientX - rect.left) / rect.width * W;
      if (n <= 1) return 0;
      return Math.min(n - 1, Math.max(0, Math.round((sx - L) / (R - L) * (n - 1))));
    }
    overlay.addEventListener('pointerdown', function (ev) {
      st.pinned = ev.pointerType !== 'mouse';
      show(indexAt(ev));
    });
    overlay.addEventListener('pointermove', function (ev) {
      if (ev.pointerType === 'mouse' || st.pinned) show(indexAt(ev));
    });
    // A touch ends with pointerleave: only a mouse leaving ends the readout.
    overlay.addEventListener('pointerleave', function (ev) { if (ev.pointerType === 'mouse' && !st.pinned) show(null); });
    marks.forEach(function (mk) {
      var g = mk.hit.parentNode;
      g.addEventListener('pointerenter', function (ev) { if (ev.pointerType === 'mouse') { markMilestone(mk.m.n, true); showMilestone(mk); } });
      g.addEventListener('pointerleave', function (ev) { if (ev.pointerType === 'mouse' && !st.pinned) { markMilestone(mk.m.n, false); show(null); } });
      g.addEventListener('pointerdown', function (ev) {
        if (ev.pointerType === 'mouse') return;
        ev.stopPropagation();
        st.pinned = true;
        markMilestone(mk.m.n, true);
        showMilestone(mk);
      });
    });
    root.addEventListener('keydown', function (ev) {
      var k = st.hover === null ? n - 1 : st.hover;
      if (ev.key === 'ArrowLeft') k = Math.max(0, k - 1);
      else if (ev.key === 'ArrowRight') k = Math.min(n - 1, k + 1);
      else if (ev.key === 'Home') k = 0;
      else if (ev.key === 'End') k = n - 1;
      else if (ev.key === 'Escape') { show(null); return; }
      else return;
      ev.preventDefault();
      show(k);
    });
    root.addEventListener('blur', function () { if (!st.pinned) show(null); });

    clear(box);
    box.appendChild(root);
    box.appendChild(readout);
    st.root = root;
    st.highlight = function (key) {
      var all = root.querySelectorAll('.hl');
      for (var i = 0; i < all.length; i++) all[i].classList.remove('hl');
      var on = key !== null && !!drawn[key];
      lines.classList.toggle('focus', on);
      bands.classList.toggle('focus', on);
      if (on) drawn[key].forEach(function (el) { el.classList.add('hl'); });
    };
    if (st.hover !== null && st.hover < n) {
      show(st.hover);
    } else {
      st.hover = null;
      st.pinned = false;
    }
  }

  // A tap outside every chart ends a pinned readout.
  document.addEventListener('pointerdown', function (ev) {
    for (var id in charts) {
      if (Object.prototype.hasOwnProperty.call(charts, id) && charts[id].root && !charts[id].root.contains(ev.target)) {
        if (charts[id].pinned) {
          charts[id].pinned = false;
          charts[id].show(null);
        }
      }
    }
  });

  function ylabel(unit) {
    if (unit !== data.unit) return asShare() ? 'Share of Total' : 'Share completing all steps';
    if (unit !== 'count') return data.ylabel;
    var base = data.ylabel.replace(/ per day$/, '');
    switch (state.grain) {
      case 'avg7': return base + ' per day, 7-day average';
      case 'week': return base + ' per week';
      case 'month': return base + ' per month';
    }
    return data.ylabel;
  }
  function xlabel() {
    return { day: 'Day (UTC)', avg7: 'Day (UTC), 7-day average', week: 'ISO week (Monday to Sunday, UTC)', month: 'Month (UTC)' }[state.grain];
  }

  // Bands: the 95% interval around each line, for versions that estimate
  // from a sample (a census is exact, the sample itself has none).
  function showBands() { return !!data.bands && state.band; }
  function bandText() {
    if (!showBands()) return '';
    return ' · shaded: 95% intervals' + (METHOD === 'quantiles' ? ' (a quantile’s are per day: quantiles cannot be combined across days)' : '');
  }

  function drawChart(ps) {
    var unit = viewUnit();
    lineChart(ui.chart, { series: inPeriods(visibleSeries(), ps), periods: ps, unit: unit, ylabel: ylabel(unit), xlabel: xlabel(),
      aria: data.title + ': ' + caption(), milestones: milestonesInRange(), bands: showBands() });
  }

  function drawFlow(ps) {
    if (!ui.flow) return;
    var series = inPeriods(flowSeries(), ps);
    lineChart(ui.flow, { series: series, periods: ps, unit: 'rate', ylabel: 'Share of step 1', xlabel: xlabel(),
      aria: data.title + ': each step as a share of ' + data.steps[0] + ', ' + flowWhat(), milestones: milestonesInRange(), bands: showBands() });
    legend(ui.flowLegend, series, null, 'rate', ui.flow);
    ui.flowCaption.textContent = 'Each step as a share of “' + data.steps[0] + '” · ' + flowWhat() + bandText();
  }
  function flowWhat() {
    var segs = visibleSegments().length;
    return (isStepView() ? 'Total' : segmentation().name + ', ' + segs + ' segment' + (segs === 1 ? '' : 's') + ' shown') +
      ' · ' + grainText() + rangeText();
  }

  // legend lists series with their aggregate over the range and a note
  // where one hides another; with a hidden set, each is a switch.
  function legend(box, series, h, unit, chartBox) {
    var notes = coincidences(series);
    clear(box);
    series.forEach(function (s, i) {
      var label = html(h ? 'label' : 'span', { 'class': 'legend-item ' + s.color + (h && h[s.key] ? ' off' : '') }, box);
      var cb = null;
      if (h) {
        cb = html('input', { type: 'checkbox' }, label);
        cb.checked = !h[s.key];
        cb.addEventListener('change', function () {
          if (cb.checked) delete h[s.key]; else h[s.key] = true;
          update();
        });
      }
      html('span', { 'class': 'sw ' + s.dash, 'aria-hidden': 'true' }, label);
      html('span', { 'class': 'legend-name' }, label, s.name);
      var agg = combine(s.daily, state.from, state.to, false), title = aggTitle(unit, s);
      if (agg.lo !== null && agg.hi !== null) title += ' (95% interval ' + fmtValue(unit, agg.lo) + ' to ' + fmtValue(unit, agg.hi) + ')';
      html('span', { 'class': 'agg', title: title }, label, fmtValue(unit, agg.v));
      if (notes[i]) html('span', { 'class': 'legend-note' }, label, '(' + notes[i] + ')');
      if (s.aside) html('span', { 'class': 'legend-note' }, label, '(counted apart from the funnel)');
      var st = charts[chartBox.id];
      label.addEventListener('mouseenter', function () { if (st) st.highlight(s.key); });
      label.addEventListener('mouseleave', function () { if (st) st.highlight(null); });
      if (cb) {
        cb.addEventListener('focus', function () { if (st) st.highlight(s.key); });
        cb.addEventListener('blur', function () { if (st) st.highlight(null); });
      }
    });
  }

  function drawLegend(ps) {
    var all = allSeries(), h = hiddenSet(), unit = viewUnit();
    var shown = inPeriods(all, ps);
    legend(ui.legend, shown, h, unit, ui.chart);
    if (all.length > 2) {
      var actions = html('span', { 'class': 'legend-actions' }, ui.legend);
      html('button', { type: 'button', 'class': 'link-button' }, actions, 'Show all').addEventListener('click', function () {
        all.forEach(function (s) { delete h[s.key]; });
        update();
      });
      html('button', { type: 'button', 'class': 'link-button' }, actions, 'Hide all').addEventListener('click', function () {
        all.forEach(function (s) { h[s.key] = true; });
        update();
      });
    }
  }

  function aggTitle(unit, s) {
    if (s.daily.est) return 'Over the days shown: estimated from their summed sums';
    if (unit === 'count' && !s.derived) return 'Sum over the days shown';
    if (s.daily.n && s.daily.d) return 'Over the days shown: sum of numerators ÷ sum of denominators';
    return 'Mean of the daily values shown';
  }

  // The milestones under the chart: those in the range; pointing at one,
  // or focusing its link, shows it on the chart.
  function drawMilestoneList() {
    if (!ui.milestoneList) return;
    var inRange = {};
    milestonesInRange().forEach(function (m) { inRange[m.n] = true; });
    var items = ui.milestoneList.querySelectorAll('li');
    for (var i = 0; i < items.length; i++) items[i].hidden = !inRange[items[i].getAttribute('data-n')];
  }
  function wireMilestoneList() {
    if (!ui.milestoneList) return;
    var items = ui.milestoneList.querySelectorAll('li');
    Array.prototype.forEach.call(items, function (li) {
      var num = parseInt(li.getAttribute('data-n'), 10);
      var on = function () { markMilestone(num, true); if (charts.chart) charts.chart.milestone(num); };
      var off = function () { markMilestone(num, false); if (charts.chart) charts.chart.hide(); };
      li.addEventListener('mouseenter', on);
      li.addEventListener('mouseleave', off);
      li.addEventListener('focusin', on);
      li.addEventListener('focusout', off);
    });
  }

  // Funnel: sums of day counts over the range, over the visible segments,
  // for each step proper (counts) and each aside (asides); with sums, the
  // asides' totals are estimated with their intervals.
  function funnelCounts() {
    var segs = visibleSegments(), counts = data.steps.map(function () { return 0; });
    var sums = data.steps.map(function () { return null; });
    segs.forEach(function (m) {
      data.steps.forEach(function (_, si) {
        for (var i = state.from; i <= state.to; i++) {
          if (m.v[si][i] !== null) counts[si] += m.v[si][i];
          var x = m.sums ? m.sums[si][i] : null;
          if (x !== null) sums[si] = sums[si] === null ? x : KPIStats.add(sums[si], x);
        }
      });
    });
    var asides = data.steps.slice(FS).map(function (step, j) {
      var k = FS + j, e = sums[k] !== null ? estimate('total', sums[k]) : null;
      return { name: step, count: counts[k], lo: e ? e.lo : null, hi: e ? e.hi : null };
    });
    return { counts: counts.slice(0, FS), asides: asides, segments: segs.length };
  }
  // drawAsides lists a funnel's rows that are not its steps, summed over
  // the range.
  function drawAsides(asides) {
    var box = document.querySelector('#asides ul');
    if (!box) return;
    clear(box);
    asides.forEach(function (a) {
      var li = html('li', {}, box);
      html('strong', {}, li, a.name);
      li.appendChild(document.createTextNode(': '));
      html('span', { 'class': 'aside-count' }, li, fmtValue('count', a.count));
      if (a.lo !== null && a.hi !== null) {
        html('span', { 'class': 'muted' }, li, ' (95% interval ' + fmtValue('count', a.lo) + ' to ' + fmtValue('count', a.hi) + ')');
      }
    });
  }

  // drawFunnel draws a bar per step with its name beside the bars, or
  // above its bar where names would take more than 40% of the width; as
  // newFunnel in chart.go.
  function drawFunnel() {
    if (!ui.funnel) return;
    var f = funnelCounts(), counts = f.counts;
    drawAsides(f.asides);
    var W = widthOf(ui.funnel);
    var nameW = Math.max.apply(null, data.steps.slice(0, FS).map(function (s) { return textWidth(s, 14); }));
    var stacked = W < 640 || nameW + 16 > W * 0.4;
    var label = stacked ? 0 : Math.ceil(nameW + 16), row = stacked ? 62 : 46, span = W - label - 130 - 8;
    var hi = Math.max.apply(null, counts.concat([0]));
    var root = svg('svg', { 'class': 'funnelchart', viewBox: '0 0 ' + W + ' ' + (row * counts.length + 8), role: 'img',
      'aria-label': data.title + ': sessions reaching each step, ' + caption() });
    counts.forEach(function (c, i) {
      var g = svg('g', { 'class': 'step' }, root), y0 = i * row + 6;
      var w = hi > 0 ? Math.max(1, c / hi * span) : 1;
      svg('text', { 'class': 'step-name', x: 0, y: stacked ? y0 + 12 : y0 + 21 }, g).textContent = data.steps[i];
      svg('rect', { 'class': 'bar c' + (i % 11), x: label, y: stacked ? y0 + 20 : y0, width: r1(w), height: stacked ? 26 : 30, rx: 3 }, g);
      svg('text', { 'class': 'step-value', x: r1(label + w + 8), y: stacked ? y0 + 38 : y0 + 21 }, g).textContent =
        fmtValue('count', c) + (counts[0] > 0 ? ' · ' + (c / counts[0] * 100).toFixed(1) + '%' : '');
    });
    clear(ui.funnel);
    ui.funnel.appendChild(root);

    var body = ui.funnelBody, last = counts.length - 1;
    clear(body);
    counts.forEach(function (c, i) {
      var tr = html('tr', {}, body);
      html('th', { scope: 'row' }, tr, data.steps[i]);
      html('td', {}, tr, fmtValue('count', c));
      html('td', {}, tr, pct(c, counts[0]));
      html('td', {}, tr, i < last ? pct(counts[i + 1], c) : '–');
      html('td', {}, tr, pct(counts[last], c));
    });
    ui.funnelCaption.textContent = (isStepView() ? 'Total' : segmentation().name + ', ' + f.segments + ' segment' + (f.segments === 1 ? '' : 's') + ' shown') +
      ' · ' + rangeText() + ' · sums of the daily counts';
  }

  var GRAIN_HEAD = { day: 'Day', avg7: 'Day (7-day average)', week: 'ISO week', month: 'Month' };
  var GRAIN_NAME = { day: 'Daily', avg7: '7-day average', week: 'Weekly', month: 'Monthly' };

  // valueCell writes a value and, under it, its 95% interval.
  function valueCell(tr, unit, s, k) {
    var td = html('td', {}, tr, s ? fmtValue(unit, s.v[k]) : '–');
    if (s && s.lo[k] !== null && s.hi[k] !== null && s.v[k] !== null) {
      html('span', { 'class': 'iv' }, td, fmtValue(unit, s.lo[k]) + ' to ' + fmtValue(unit, s.hi[k]));
    }
  }

  function drawTable(ps) {
    var series = inPeriods(visibleSeries(), ps), unit = viewUnit(), t = ui.table;
    var ratioCols = !stepped && segmentation().name === 'Total' && data.ratio;
    var sampled = ratioCols && ADDITIVE;
    clear(t);
    var head = html('tr', {}, html('thead', {}, t));
    html('th', { scope: 'col' }, head, GRAIN_HEAD[state.grain]);
    // An estimated total is its own weighted numerator and has no
    // denominator: its value and the sampled sessions behind it.
    var parts = !ADDITIVE || METHOD !== 'total';
    if (ratioCols) {
      var cols = !ADDITIVE ? ['Value', 'Numerator', 'Denominator'] :
        parts ? ['Value', 'Numerator (weighted)', 'Denominator (weighted)', 'Sampled'] : ['Value', 'Sampled'];
      cols.forEach(function (c) { html('th', { scope: 'col' }, head, c); });
    } else {
      series.forEach(function (s) { html('th', { scope: 'col' }, head, s.name); });
    }
    var body = html('tbody', {}, t);
    for (var k = ps.length - 1; k >= 0; k--) {
      var tr = html('tr', {}, body), th = html('th', { scope: 'row' }, tr, ps[k].label);
      if (ps[k].partial) html('span', { 'class': 'partial' }, th, ' (' + partialText(ps[k]) + ')');
      if (ratioCols) {
        var s = series[0];
        valueCell(tr, unit, s, k);
        if (parts) {
          html('td', {}, tr, s ? fmtNum(s.n[k]) : '–');
          html('td', {}, tr, s ? fmtNum(s.d[k]) : '–');
        }
        if (sampled) html('td', {}, tr, s && s.obs[k] !== null ? fmtValue('count', s.obs[k]) : '–');
      } else {
        series.forEach(function (s) { valueCell(tr, unit, s, k); });
      }
    }
    var iv = series.some(function (s) { return s.lo.some(function (x) { return x !== null; }); });
    ui.tableCaption.textContent = GRAIN_NAME[state.grain] + ' values, ' + caption() + ', newest first' +
      (iv ? '; under each value its 95% interval' : '');
  }

  // csv is exactly the data behind the chart: the visible series over the
  // chosen periods. A day view keeps the long form of the full download;
  // other views say which days each row combines and whether all of them
  // had data.
  function csv() {
    var cell = function (s) {
      s = String(s);
      if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
      return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    var num = function (v) { return v === null || v === undefined ? '' : String(v); };
    var ps = periods(), series = inPeriods(visibleSeries(), ps), day = state.grain === 'day';
    var lines = [day ? 'kpi,version,day,segmentation,segment,step,value,numerator,denominator,lo,hi,n'
      : 'kpi,version,granularity,from,to,segmentation,segment,step,value,numerator,denominator,lo,hi,n,days_with_data,partial'];
    series.forEach(function (s) {
      ps.forEach(function (p, k) {
        if (s.v[k] === null) return;
        var head = day ? [cell(data.kpi), data.version, data.days[p.at]]
          : [cell(data.kpi), data.version, state.grain, data.days[p.from], data.days[p.to]];
        var row = head.concat([cell(segmentation().name), cell(s.segment), cell(s.step), num(s.v[k]), num(s.n[k]), num(s.d[k]),
          num(s.lo[k]), num(s.hi[k]), num(s.obs[k])]);
        if (!day) row.push(p.have, p.partial);
        lines.push(row.join(','));
      });
    });
    return lines.join('\r\n') + '\r\n';
  }
  var csvURL = null;
  function updateCSV() {
    if (!ui.csvView) return;
    ui.csvView.hidden = false;
    ui.csvView.setAttribute('download', data.file + '.' + segmentation().name.replace(/[^A-Za-z0-9_-]/g, '_') + '.' +
      (state.grain === 'day' ? '' : state.grain + '.') + data.days[state.from] + '_' + data.days[state.to] + '.csv');
  }
  if (ui.csvView) {
    // Built on click so the file always matches what the chart shows.
    ui.csvView.addEventListener('click', function () {
      if (csvURL) URL.revokeObjectURL(csvURL);
      csvURL = URL.createObjectURL(new Blob([csv()], { type: 'text/csv;charset=utf-8' }));
      ui.csvView.href = csvURL;
    });
  }

  // rangeText says which days the view shows: the calendar days from its
  // first to its last, and how many of them the axis leaves out; as
  // rangeText in pages.go.
  function dayCount(n) { return n === 1 ? '1 day' : group(String(n)) + ' days'; }
  function rangeText() {
    var n = calendarDays(state.from, state.to), left = n - (state.to - state.from + 1);
    var text = dayCount(n) + ', ' + data.days[state.from] + ' to ' + data.days[state.to] +
      (left > 0 ? ' (' + dayCount(left) + ' without data left out)' : '');
    if (state.preset === 'all' || (state.from === 0 && state.to === N - 1)) return 'all ' + text;
    if (state.preset !== 'custom' && state.to === N - 1) return 'last ' + text;
    return text;
  }
  function grainText() {
    return { day: '', avg7: '7-day average · ', week: 'per ISO week · ', month: 'per month · ' }[state.grain];
  }
  function caption() {
    var seg = segmentation().name, what = seg;
    if (stepped && !isStepView()) {
      what += state.step < 0 ? ', share completing all steps' : (data.kind === 'funnel' ? ', step ' : ', ') + data.steps[state.step];
    }
    if (asShare()) what += ', as a share of Total';
    return what + ' · ' + grainText() + rangeText();
  }

  // ---- Controls and state. ----

  function setPreset(p) {
    state.preset = p;
    state.to = N - 1;
    state.from = p === 'all' ? 0 : since(N - 1, parseInt(p, 10));
  }

  function syncControls() {
    var buttons = ui.controls.querySelectorAll('button[data-days]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-pressed', buttons[i].getAttribute('data-days') === state.preset ? 'true' : 'false');
    }
    ui.from.value = data.days[state.from];
    ui.to.value = data.days[state.to];
    if (ui.segmentation) ui.segmentation.selectedIndex = state.seg;
    if (ui.grain) ui.grain.value = state.grain;
    if (ui.stepChoice) {
      ui.stepChoice.hidden = isStepView();
      ui.step.value = String(state.step);
    }
    if (ui.shareChoice) {
      ui.shareChoice.hidden = !shareable();
      ui.asShare.checked = state.share;
    }
    // Intervals are drawn once results carry them; the choice is kept
    // in the URL already.
    ui.bandChoice.hidden = !data.bands;
    ui.band.checked = state.band;
  }

  // The URL's fragment holds every choice that differs from the page's
  // default, so a reload or a shared link shows the same view.
  function writeHash() {
    var parts = [];
    if (state.seg) parts.push('seg=' + encodeURIComponent(segmentation().name));
    if (state.preset === 'custom') parts.push('from=' + data.days[state.from], 'to=' + data.days[state.to]);
    else if (state.preset !== defaultPreset) parts.push('range=' + state.preset);
    if (state.grain !== 'day') parts.push('g=' + state.grain);
    if (stepped && state.step !== data.defaultStep) parts.push('step=' + state.step);
    if (asShare()) parts.push('share=1');
    var off = Object.keys(hiddenSet());
    if (off.length) parts.push('off=' + off.map(encodeURIComponent).join(','));
    if (!state.band) parts.push('band=0');
    try {
      history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
    } catch (e) { /* some file:// setups refuse; the page still works */ }
  }

  function readHash() {
    resetState();
    var h = location.hash.replace(/^#/, '');
    if (!h) return;
    var q = {};
    h.split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i > 0) q[kv.slice(0, i)] = kv.slice(i + 1);
    });
    var text = function (v) {
      try { return decodeURIComponent(v); } catch (e) { return null; }
    };
    data.segmentations.forEach(function (s, i) { if (s.name === text(q.seg || '')) state.seg = i; });
    if (q.range && /^(7|30|90|all)$/.test(q.range)) setPreset(q.range);
    var f = data.days.indexOf(q.from), t = data.days.indexOf(q.to);
    if (f >= 0 && t >= f) { state.from = f; state.to = t; state.preset = 'custom'; }
    if (data.granular && /^(avg7|week|month)$/.test(q.g)) state.grain = q.g;
    var st = parseInt(q.step, 10);
    if (stepped && st >= (data.kind === 'funnel' ? -1 : 0) && st < data.steps.length) state.step = st;
    state.share = q.share === '1';
    state.band = q.band !== '0';
    if (q.off) {
      var known = {}, hidden = hiddenSet();
      allSeries().forEach(function (s) { known[s.key] = true; });
      q.off.split(',').forEach(function (k) {
        k = text(k);
        if (k !== null && known[k]) hidden[k] = true;
      });
    }
  }

  // fromIndex and toIndex find the first day on or after a YYYY-MM-DD
  // day and the last on or before it, clamped to the axis.
  function validDay(v) { return /^\d{4}-\d{2}-\d{2}$/.test(v); }
  function fromIndex(v, fallback) { return validDay(v) ? Math.min(N - 1, atOrAfter(v)) : fallback; }
  function toIndex(v, fallback) { return validDay(v) ? Math.max(0, atOrBefore(v)) : fallback; }

  function draw() {
    var ps = periods();
    drawChart(ps);
    drawLegend(ps);
    drawMilestoneList();
    drawFlow(ps);
    drawFunnel();
    drawTable(ps);
  }

  function update(writeState) {
    syncControls();
    draw();
    updateCSV();
    ui.caption.textContent = caption() + bandText();
    markScrollers();
    if (writeState !== false) writeHash();
  }

  function init() {
    ui.controls.hidden = false;
    ui.from.min = ui.to.min = data.days[0];
    ui.from.max = ui.to.max = data.days[N - 1];
    readHash();
    var buttons = ui.controls.querySelectorAll('button[data-days]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].addEventListener('click', function (ev) {
        setPreset(ev.currentTarget.getAttribute('data-days'));
        update();
      });
    }
    ui.from.addEventListener('change', function () {
      state.from = fromIndex(ui.from.value, state.from);
      if (state.from > state.to) state.to = state.from;
      state.preset = 'custom';
      update();
    });
    ui.to.addEventListener('change', function () {
      state.to = toIndex(ui.to.value, state.to);
      if (state.to < state.from) state.from = state.to;
      state.preset = 'custom';
      update();
    });
    if (ui.segmentation) {
      ui.segmentation.addEventListener('change', function () {
        state.seg = Math.max(0, ui.segmentation.selectedIndex);
        update();
      });
    }
    if (ui.grain && data.granular) {
      ui.grain.addEventListener('change', function () {
        state.grain = /^(avg7|week|month)$/.test(ui.grain.value) ? ui.grain.value : 'day';
        update();
      });
    }
    if (ui.asShare) {
      ui.asShare.addEventListener('change', function () {
        state.share = ui.asShare.checked;
        update();
      });
    }
    ui.band.addEventListener('change', function () {
      state.band = ui.band.checked;
      update();
    });
    if (ui.step) {
      ui.step.addEventListener('change', function () {
        state.step = parseInt(ui.step.value, 10);
        update();
      });
    }
    wireMilestoneList();
    // Charts are drawn for the width they get: again when it changes, and
    // for the paper when printing.
    var pending = false, lastW = ui.chart.clientWidth;
    var redraw = function () {
      pending = false;
      lastW = ui.chart.clientWidth;
      draw();
    };
    window.addEventListener('resize', function () {
      if (pending || ui.chart.clientWidth === lastW) return;
      pending = true;
      window.requestAnimationFrame(redraw);
    });
    var setPrinting = function (on) {
      if (printing === on) return;
      printing = on;
      redraw();
    };
    if (window.matchMedia) {
      var print = window.matchMedia('print');
      if (print.addEventListener) print.addEventListener('change', function (e) { setPrinting(e.matches); });
    }
    window.addEventListener('beforeprint', function () { setPrinting(true); });
    window.addEventListener('afterprint', function () { setPrinting(false); });
    window.addEventListener('hashchange', function () { readHash(); update(false); });
    update(false);
    document.documentElement.setAttribute('data-report', 'ready');
  }

  // For tests and the curious: the current view's CSV and choices.
  window.KPIReport = {
    csv: csv,
    // view is the chart's series over the view's periods, as drawn.
    view: function () {
      var ps = periods();
      return inPeriods(visibleSeries(), ps).map(function (s) {
        return { name: s.name, segment: s.segment, step: s.step, v: s.v, lo: s.lo, hi: s.hi, obs: s.obs,
          periods: ps.map(function (p) { return { from: data.days[p.from], to: data.days[p.to] }; }) };
      });
    },
    state: function () {
      var ps = periods();
      return { segmentation: segmentation().name, from: data.days[state.from], to: data.days[state.to], grain: state.grain,
        band: state.band, hidden: Object.keys(hiddenSet()),
        series: visibleSeries().map(function (s) { return s.name; }),
        periods: ps.map(function (p) { return { label: p.label, from: data.days[p.from], to: data.days[p.to], partial: p.partial }; }) };
    }
  };

  init();
}());

// report.js: the interactive part of a KPI page, written for this report.
// A classic script (ES modules do not load from file://) with no
// dependencies. It reads the page's data from <script type="application/json"
// id="kpi-data">, and redraws the chart, legend, funnel and table when the
// reader picks a date range, a segmentation or segments. Text from the data
// only ever reaches the page through textContent or setAttribute on
// non-URL attributes, never as markup.
(function () {
  'use strict';

  var SVGNS = 'http://www.w3.org/2000/svg';
  var LABEL_CHAR = 6.5; // estimated width of a milestone label's character, as in chart.go
  var MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

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
    from: $('from'), to: $('to'), shareChoice: $('share-choice'), asShare: $('as-share'), chart: $('chart'), legend: $('legend'), caption: $('view-caption'),
    funnel: $('funnel'), funnelBody: $('funnel-body'), funnelCaption: $('funnel-caption'),
    table: $('data-table'), tableCaption: $('table-caption'), csvView: $('csv-view')
  };
  var stepped = data.steps.length > 1 || (data.steps.length === 1 && data.steps[0] !== '');
  var state = { seg: 0, step: data.defaultStep, from: Math.max(0, N - data.defaultDays), to: N - 1,
    preset: N <= data.defaultDays ? 'all' : String(data.defaultDays), hidden: {}, share: false };
  var hover = null; // index of the day under the pointer, or null
  var drawn = {};    // series key → its SVG elements, to highlight one

  // highlight brings one series forward and fades the others; null ends it.
  function highlight(key) {
    var g = ui.chart.querySelector('g.lines');
    if (!g) return;
    var all = g.querySelectorAll('.hl');
    for (var i = 0; i < all.length; i++) all[i].classList.remove('hl');
    if (key === null || !drawn[key]) { g.classList.remove('focus'); return; }
    g.classList.add('focus');
    drawn[key].forEach(function (el) { el.classList.add('hl'); });
  }

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
  function dayStep(n, width, minPx) {
    if (n <= 1) return 1;
    var per = width / (n - 1);
    var steps = [1, 2, 7, 14, 28, 56, 91, 182, 364];
    for (var i = 0; i < steps.length; i++) if (steps[i] * per >= minPx) return steps[i];
    return 728;
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
  function r1(v) { return Math.round(v * 10) / 10; }

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

  // allSeries lists every line the current segmentation offers, hidden or not.
  function allSeries() {
    var seg = segmentation(), out = [];
    if (isStepView()) {
      var t = seg.segments[0];
      data.steps.forEach(function (step, i) {
        out.push({ key: 'step' + i, name: step, color: data.stepColors[i], segment: t.name, step: step,
          v: t.v[i], n: t.n ? t.n[i] : null, d: t.d ? t.d[i] : null });
      });
      return out;
    }
    seg.segments.forEach(function (m) {
      if (data.kind === 'funnel' && state.step < 0) {
        var first = m.v[0], last = m.v[m.v.length - 1];
        var v = first.map(function (f, i) { return f > 0 && last[i] !== null ? last[i] / f : null; });
        out.push({ key: m.name, name: m.name, color: m.color, segment: m.name, step: 'complete all steps',
          v: v, n: last, d: first, derived: true });
        return;
      }
      var si = stepped ? Math.max(0, state.step) : 0;
      if (asShare()) {
        var total = data.segmentations[0].segments[0].v[si];
        out.push({ key: m.name, name: m.name, color: m.color, segment: m.name, step: data.steps[si] || '',
          v: m.v[si].map(function (x, i) { return x !== null && total[i] > 0 ? x / total[i] : null; }),
          n: m.v[si], d: total, derived: true });
        return;
      }
      out.push({ key: m.name, name: m.name, color: m.color, segment: m.name, step: data.steps[si] || '',
        v: m.v[si], n: m.n ? m.n[si] : null, d: m.d ? m.d[si] : null });
    });
    return out;
  }
  function hiddenSet() {
    var k = segmentation().name + '|' + (isStepView() ? 'steps' : state.step);
    if (!state.hidden[k]) state.hidden[k] = {};
    return state.hidden[k];
  }
  function visibleSeries() {
    var h = hiddenSet();
    return allSeries().filter(function (s) { return !h[s.key]; });
  }

  // aggregate combines the days of the range like site.aggregate in Go:
  // a count's sum, a ratio's sum over sum, else the mean.
  function aggregate(s, unit) {
    var sum = 0, num = 0, den = 0, vals = 0, pairs = 0, days = 0;
    for (var i = state.from; i <= state.to; i++) {
      if (data.covered[i]) days++;
      var v = s.v[i];
      if (v !== null) { sum += v; vals++; }
      if (s.n && s.d && s.n[i] !== null && s.d[i] !== null) { num += s.n[i]; den += s.d[i]; pairs++; }
    }
    if (unit === 'count' && !s.derived) return days ? sum : null;
    if (pairs > 0 && pairs === vals && den !== 0) return num / den;
    return vals ? sum / vals : null;
  }

  // ---- Drawing. ----

  function drawChart() {
    var series = visibleSeries(), unit = viewUnit();
    var box = ui.chart;
    var W = Math.max(300, Math.round(box.clientWidth || 960));
    var narrow = W < 560;
    var H = Math.round(Math.min(420, Math.max(260, W * 0.42)));
    var L = narrow ? 52 : 76, R = W - (narrow ? 12 : 24), T = 44, B = H - 64;
    var from = state.from, to = state.to, n = to - from + 1;
    var hi = 0, any = false;
    series.forEach(function (s) {
      for (var i = from; i <= to; i++) if (s.v[i] !== null) { any = true; if (s.v[i] > hi) hi = s.v[i]; }
    });
    var scale = unit === 'ms' ? msScale(hi) : { div: 1, label: null };
    var nt = niceTicks(hi / scale.div, narrow ? 4 : 5), top = nt.ticks[nt.ticks.length - 1] * scale.div;
    var y = function (v) { return r1(B - v / top * (B - T)); };
    var x = function (i) { return n <= 1 ? (L + R) / 2 : r1(L + (i - from) / (n - 1) * (R - L)); };

    var root = svg('svg', { 'class': 'linechart', viewBox: '0 0 ' + W + ' ' + H, role: 'img', tabindex: '0',
      'aria-label': data.title + ': ' + caption() + '. Use the left and right arrow keys to read values.' });
    var grid = svg('g', { 'class': 'grid' }, root), ya = svg('g', { 'class': 'axis y' }, root);
    nt.ticks.forEach(function (v) {
      svg('line', { x1: L, x2: R, y1: y(v * scale.div), y2: y(v * scale.div) }, grid);
      svg('text', { x: L - 10, y: y(v * scale.div), dy: '0.32em' }, ya).textContent = fmtTick(unit, v, nt.step);
    });
    var xa = svg('g', { 'class': 'axis x' }, root);
    svg('line', { 'class': 'baseline', x1: L, x2: R, y1: B, y2: B }, xa);
    var ds = dayStep(n, R - L, narrow ? 64 : 84), idx = [];
    for (var i = to; i >= from; i -= ds) idx.unshift(i);
    idx.forEach(function (i, j) {
      svg('line', { x1: x(i), x2: x(i), y1: B, y2: B + 5 }, xa);
      svg('text', { x: x(i), y: B + 20 }, xa).textContent = dayLabel(data.days[i]);
      if (j === 0 || data.days[i].slice(0, 4) !== data.days[idx[j - 1]].slice(0, 4)) {
        svg('text', { 'class': 'year', x: x(i), y: B + 35 }, xa).textContent = data.days[i].slice(0, 4);
      }
    });
    svg('text', { 'class': 'axis-label', transform: 'translate(' + (narrow ? 12 : 18) + ' ' + (T + B) / 2 + ') rotate(-90)' }, root)
      .textContent = scale.label || (unit === data.unit ? data.ylabel : asShare() ? 'Share of Total' : 'Share completing all steps');
    svg('text', { 'class': 'axis-label', x: (L + R) / 2, y: H - 6 }, root).textContent = 'Day (UTC)';

    // Milestone labels go on the first of two rows where they do not
    // overlap the previous label; near the right edge they end at their line.
    var marks = svg('g', { 'class': 'markers' }, root), rowEnd = [-Infinity, -Infinity];
    data.milestones.forEach(function (m) {
      var i = data.days.indexOf(m.date);
      if (i < from || i > to) return;
      var mx = x(i), w = m.label.length * LABEL_CHAR;
      var end = mx + 4 + w > W;
      var x0 = end ? mx - 4 - w : mx + 4;
      var row = rowEnd[0] < x0 - 8 ? 0 : rowEnd[1] < x0 - 8 ? 1 : (rowEnd[0] <= rowEnd[1] ? 0 : 1);
      rowEnd[row] = x0 + w;
      var ly = T - 26 + row * 14;
      svg('line', { 'class': 'milestone', x1: mx, x2: mx, y1: ly + 4, y2: B }, marks);
      var t = svg('text', { 'class': 'milestone-label', x: end ? mx - 4 : mx + 4, y: ly, 'text-anchor': end ? 'end' : 'start' }, marks);
      t.textContent = m.label;
      svg('title', {}, t).textContent = m.date + ': ' + m.label;
    });

    // Dots mark the days while they are few enough to tell apart.
    var lines = svg('g', { 'class': 'lines' }, root), dots = n <= 62 && series.length <= 5;
    drawn = {};
    series.forEach(function (s) {
      var els = drawn[s.key] = [];
      var d = '', pen = false, pts = [];
      for (var i = from; i <= to; i++) {
        var v = s.v[i];
        if (v === null) { pen = false; continue; }
        d += (pen ? 'L' : 'M') + x(i) + ' ' + y(v);
        var isolated = !pen && (i + 1 > to || s.v[i + 1] === null);
        if (dots || isolated) pts.push([x(i), y(v)]);
        pen = true;
      }
      if (d) {
        var path = svg('path', { 'class': 'line ' + s.color, d: d }, lines);
        svg('title', {}, path).textContent = s.name;
        els.push(path);
      }
      pts.forEach(function (p) { els.push(svg('circle', { 'class': 'dot ' + s.color, cx: p[0], cy: p[1], r: 2.6 }, lines)); });
    });
    if (!any) svg('text', { 'class': 'empty', x: (L + R) / 2, y: (T + B) / 2 }, root).textContent =
      series.length ? 'No values in this range' : 'Every series is switched off';

    // Hover and keyboard readout.
    var hov = svg('g', { 'class': 'hover' }, root);
    var overlay = svg('rect', { 'class': 'overlay', x: L, y: T, width: Math.max(1, R - L), height: Math.max(1, B - T) }, root);
    var tip = box.querySelector('.tip') || html('div', { 'class': 'tip', hidden: '' }, null);
    function show(i) {
      hover = i;
      while (hov.firstChild) hov.removeChild(hov.firstChild);
      if (i === null) { tip.hidden = true; return; }
      svg('line', { 'class': 'hover-line', x1: x(i), x2: x(i), y1: T, y2: B }, hov);
      var rows = series.map(function (s) { return { s: s, v: s.v[i] }; })
        .filter(function (r) { return r.v !== null; })
        .sort(function (a, b) { return b.v - a.v; });
      rows.forEach(function (r) { svg('circle', { 'class': 'hover-dot ' + r.s.color, cx: x(i), cy: y(r.v), r: 4.5 }, hov); });
      while (tip.firstChild) tip.removeChild(tip.firstChild);
      html('div', { 'class': 'tip-day' }, tip, data.days[i] + (data.covered[i] ? '' : ' (no data)'));
      var max = 12;
      rows.slice(0, max).forEach(function (r) {
        var line = html('div', { 'class': 'tip-row' }, tip);
        html('span', { 'class': 'sw ' + r.s.color }, line);
        html('span', { 'class': 'tip-name' }, line, r.s.name);
        html('span', { 'class': 'tip-val' }, line, fmtValue(unit, r.v));
      });
      if (rows.length > max) html('div', { 'class': 'tip-more' }, tip, '+' + (rows.length - max) + ' more');
      if (!rows.length) html('div', { 'class': 'tip-more' }, tip, 'No values');
      tip.hidden = false;
      var scale = box.clientWidth / W;
      var px = x(i) * scale, tw = tip.offsetWidth;
      var left = px + 14 + tw > box.clientWidth ? px - 14 - tw : px + 14;
      tip.style.left = Math.max(0, left) + 'px';
      tip.style.top = Math.max(0, T * scale) + 'px';
    }
    function indexAt(ev) {
      var rect = root.getBoundingClientRect();
      var sx = (ev.clientX - rect.left) / rect.width * W;
      if (n <= 1) return from;
      return Math.min(to, Math.max(from, from + Math.round((sx - L) / (R - L) * (n - 1))));
    }
    overlay.addEventListener('pointermove', function (ev) { show(indexAt(ev)); });
    overlay.addEventListener('pointerdown', function (ev) { show(indexAt(ev)); });
    overlay.addEventListener('pointerleave', function () { show(null); });
    root.addEventListener('keydown', function (ev) {
      var i = hover === null ? to : hover;
      if (ev.key === 'ArrowLeft') i = Math.max(from, i - 1);
      else if (ev.key === 'ArrowRight') i = Math.min(to, i + 1);
      else if (ev.key === 'Home') i = from;
      else if (ev.key === 'End') i = to;
      else if (ev.key === 'Escape') { show(null); return; }
      else return;
      ev.preventDefault();
      show(i);
    });
    root.addEventListener('blur', function () { show(null); });

    while (box.firstChild) box.removeChild(box.firstChild);
    box.appendChild(root);
    box.appendChild(tip);
    if (hover !== null && hover >= from && hover <= to) show(hover); else hover = null;
  }

  function drawLegend() {
    var all = allSeries(), h = hiddenSet(), unit = viewUnit();
    var box = ui.legend;
    while (box.firstChild) box.removeChild(box.firstChild);
    all.forEach(function (s) {
      var label = html('label', { 'class': 'legend-item ' + s.color + (h[s.key] ? ' off' : '') }, box);
      var cb = html('input', { type: 'checkbox' }, label);
      cb.checked = !h[s.key];
      cb.addEventListener('change', function () {
        if (cb.checked) delete h[s.key]; else h[s.key] = true;
        update(false);
      });
      html('span', { 'class': 'sw', 'aria-hidden': 'true' }, label);
      html('span', { 'class': 'legend-name' }, label, s.name);
      html('span', { 'class': 'agg', title: aggTitle(unit, s) }, label, fmtValue(unit, aggregate(s, unit)));
      label.addEventListener('mouseenter', function () { highlight(s.key); });
      label.addEventListener('mouseleave', function () { highlight(null); });
      cb.addEventListener('focus', function () { highlight(s.key); });
      cb.addEventListener('blur', function () { highlight(null); });
    });
    if (all.length > 2) {
      var actions = html('span', { 'class': 'legend-actions' }, box);
      html('button', { type: 'button', 'class': 'link-button' }, actions, 'Show all').addEventListener('click', function () {
        all.forEach(function (s) { delete h[s.key]; });
        update(false);
      });
      html('button', { type: 'button', 'class': 'link-button' }, actions, 'Hide all').addEventListener('click', function () {
        all.forEach(function (s) { h[s.key] = true; });
        update(false);
      });
    }
  }

  function aggTitle(unit, s) {
    if (unit === 'count' && !s.derived) return 'Sum over the days shown';
    if (s.n && s.d) return 'Over the days shown: sum of numerators ÷ sum of denominators';
    return 'Mean of the daily values shown';
  }

  // Funnel: sums of day counts over the range, over the visible segments.
  function funnelCounts() {
    var seg = segmentation(), h = hiddenSet(), counts = data.steps.map(function () { return 0; });
    var segs = isStepView() ? [seg.segments[0]] : seg.segments.filter(function (m) { return !h[m.name]; });
    segs.forEach(function (m) {
      data.steps.forEach(function (_, si) {
        for (var i = state.from; i <= state.to; i++) if (m.v[si][i] !== null) counts[si] += m.v[si][i];
      });
    });
    return { counts: counts, segments: segs.length };
  }

  function drawFunnel() {
    if (!ui.funnel) return;
    var f = funnelCounts(), counts = f.counts;
    var W = Math.max(300, Math.round(ui.funnel.clientWidth || 960)), narrow = W < 640;
    var label = narrow ? 0 : Math.min(300, Math.round(W * 0.32)), valueW = narrow ? 0 : 150;
    var row = narrow ? 62 : 46, barTop = narrow ? 24 : 6, span = W - label - valueW - (narrow ? 0 : 8);
    var hi = Math.max.apply(null, counts.concat([0]));
    var root = svg('svg', { 'class': 'funnelchart', viewBox: '0 0 ' + W + ' ' + (row * counts.length + 8), role: 'img',
      'aria-label': data.title + ': sessions reaching each step, ' + caption() });
    counts.forEach(function (c, i) {
      var g = svg('g', { 'class': 'step' }, root), y0 = i * row + 6;
      var w = Math.max(1, hi > 0 ? c / hi * (narrow ? W * 0.62 : span) : 0);
      svg('text', { 'class': 'step-name', x: 0, y: narrow ? y0 + 12 : y0 + 21 }, g).textContent = data.steps[i];
      svg('rect', { 'class': 'bar c' + (i % 11), x: label, y: narrow ? y0 + barTop - 4 : y0, width: r1(w), height: narrow ? 26 : 30, rx: 3 }, g);
      svg('text', { 'class': 'step-value', x: r1(label + w + 8), y: narrow ? y0 + barTop + 14 : y0 + 21 }, g).textContent =
        fmtValue('count', c) + (counts[0] > 0 ? ' · ' + (c / counts[0] * 100).toFixed(1) + '%' : '');
    });
    while (ui.funnel.firstChild) ui.funnel.removeChild(ui.funnel.firstChild);
    ui.funnel.appendChild(root);

    var body = ui.funnelBody, last = counts.length - 1;
    while (body.firstChild) body.removeChild(body.firstChild);
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

  function drawTable() {
    var series = visibleSeries(), unit = viewUnit(), t = ui.table;
    var ratioCols = !stepped && segmentation().name === 'Total' && data.ratio;
    while (t.firstChild) t.removeChild(t.firstChild);
    var head = html('tr', {}, html('thead', {}, t));
    html('th', { scope: 'col' }, head, 'Day');
    if (ratioCols) {
      ['Value', 'Numerator', 'Denominator'].forEach(function (c) { html('th', { scope: 'col' }, head, c); });
    } else {
      series.forEach(function (s) { html('th', { scope: 'col' }, head, s.name); });
    }
    var body = html('tbody', {}, t);
    for (var i = state.to; i >= state.from; i--) {
      var tr = html('tr', {}, body);
      html('th', { scope: 'row' }, tr, data.days[i]);
      if (ratioCols) {
        var s = series[0];
        html('td', {}, tr, s ? fmtValue(unit, s.v[i]) : '–');
        html('td', {}, tr, s && s.n ? fmtNum(s.n[i]) : '–');
        html('td', {}, tr, s && s.d ? fmtNum(s.d[i]) : '–');
      } else {
        series.forEach(function (s) { html('td', {}, tr, fmtValue(unit, s.v[i])); });
      }
    }
    ui.tableCaption.textContent = 'Daily values, ' + caption() + ', newest first';
  }
  function fmtNum(v) {
    if (v === null || v === undefined) return '–';
    return v === Math.trunc(v) ? fmtValue('count', v) : group(v.toFixed(2));
  }

  // csv is exactly the data behind the chart: the visible series over the
  // chosen days.
  function csv() {
    var cell = function (s) {
      s = String(s);
      if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
      return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
    };
    var num = function (v) { return v === null || v === undefined ? '' : String(v); };
    var lines = ['kpi,version,day,segmentation,segment,step,value,numerator,denominator'];
    visibleSeries().forEach(function (s) {
      for (var i = state.from; i <= state.to; i++) {
        if (s.v[i] === null) continue;
        lines.push([cell(data.kpi), data.version, data.days[i], cell(segmentation().name), cell(s.segment), cell(s.step),
          num(s.v[i]), num(s.n ? s.n[i] : null), num(s.d ? s.d[i] : null)].join(','));
      }
    });
    return lines.join('\r\n') + '\r\n';
  }
  var csvURL = null;
  function updateCSV() {
    if (!ui.csvView) return;
    ui.csvView.hidden = false;
    ui.csvView.setAttribute('download', data.file + '.' + segmentation().name.replace(/[^A-Za-z0-9_-]/g, '_') + '.' +
      data.days[state.from] + '_' + data.days[state.to] + '.csv');
  }
  if (ui.csvView) {
    // Built on click so the file always matches what the chart shows.
    ui.csvView.addEventListener('click', function () {
      if (csvURL) URL.revokeObjectURL(csvURL);
      csvURL = URL.createObjectURL(new Blob([csv()], { type: 'text/csv;charset=utf-8' }));
      ui.csvView.href = csvURL;
    });
  }

  function rangeText() {
    var n = state.to - state.from + 1;
    var span = data.days[state.from] + ' to ' + data.days[state.to];
    if (state.preset === 'all' || n === N) return 'all ' + n + ' days, ' + span;
    if (state.preset !== 'custom' && state.to === N - 1) return 'last ' + n + ' days, ' + span;
    return n + ' days, ' + span;
  }
  function caption() {
    var seg = segmentation().name, what = seg;
    if (stepped && !isStepView()) {
      what += state.step < 0 ? ', share completing all steps' : (data.kind === 'funnel' ? ', step ' : ', ') + data.steps[state.step];
    }
    if (asShare()) what += ', as a share of Total';
    return what + ' · ' + rangeText();
  }

  // ---- Controls and state. ----

  function setPreset(p) {
    state.preset = p;
    state.to = N - 1;
    state.from = p === 'all' ? 0 : Math.max(0, N - parseInt(p, 10));
  }

  function syncControls() {
    var buttons = ui.controls.querySelectorAll('button[data-days]');
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute('aria-pressed', buttons[i].getAttribute('data-days') === state.preset ? 'true' : 'false');
    }
    ui.from.value = data.days[state.from];
    ui.to.value = data.days[state.to];
    ui.segmentation.selectedIndex = state.seg;
    if (ui.stepChoice) {
      ui.stepChoice.hidden = isStepView();
      ui.step.value = String(state.step);
    }
    if (ui.shareChoice) {
      ui.shareChoice.hidden = !shareable();
      ui.asShare.checked = state.share;
    }
  }

  function writeHash() {
    var parts = [];
    if (state.seg) parts.push('seg=' + encodeURIComponent(segmentation().name));
    if (state.preset === 'custom') parts.push('from=' + data.days[state.from], 'to=' + data.days[state.to]);
    else if (state.preset !== (N <= data.defaultDays ? 'all' : String(data.defaultDays))) parts.push('range=' + state.preset);
    if (stepped && state.step !== data.defaultStep) parts.push('step=' + state.step);
    if (asShare()) parts.push('share=1');
    try {
      history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
    } catch (e) { /* some file:// setups refuse; the page still works */ }
  }

  function readHash() {
    var h = location.hash.replace(/^#/, '');
    if (!h) return;
    var q = {};
    h.split('&').forEach(function (kv) {
      var i = kv.indexOf('=');
      if (i > 0) {
        try { q[kv.slice(0, i)] = decodeURIComponent(kv.slice(i + 1)); } catch (e) { /* ignore a malformed part */ }
      }
    });
    data.segmentations.forEach(function (s, i) { if (s.name === q.seg) state.seg = i; });
    if (q.range && /^(7|30|90|all)$/.test(q.range)) setPreset(q.range);
    var f = data.days.indexOf(q.from), t = data.days.indexOf(q.to);
    if (f >= 0 && t >= f) { state.from = f; state.to = t; state.preset = 'custom'; }
    var st = parseInt(q.step, 10);
    if (stepped && st >= (data.kind === 'funnel' ? -1 : 0) && st < data.steps.length) state.step = st;
    state.share = q.share === '1';
  }

  // dayIndex finds the index of a YYYY-MM-DD day, clamped to the data.
  function dayIndex(v, fallback) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return fallback;
    if (v <= data.days[0]) return 0;
    if (v >= data.days[N - 1]) return N - 1;
    var i = data.days.indexOf(v);
    if (i >= 0) return i;
    for (i = 0; i < N && data.days[i] < v; i++) { /* first day after v */ }
    return i;
  }

  function update(writeState) {
    syncControls();
    drawChart();
    drawLegend();
    drawFunnel();
    drawTable();
    updateCSV();
    ui.caption.textContent = caption();
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
      state.from = dayIndex(ui.from.value, state.from);
      if (state.from > state.to) state.to = state.from;
      state.preset = 'custom';
      update();
    });
    ui.to.addEventListener('change', function () {
      state.to = dayIndex(ui.to.value, state.to);
      if (state.to < state.from) state.from = state.to;
      state.preset = 'custom';
      update();
    });
    ui.segmentation.addEventListener('change', function () {
      state.seg = Math.max(0, ui.segmentation.selectedIndex);
      update();
    });
    if (ui.asShare) {
      ui.asShare.addEventListener('change', function () {
        state.share = ui.asShare.checked;
        update();
      });
    }
    if (ui.step) {
      ui.step.addEventListener('change', function () {
        state.step = parseInt(ui.step.value, 10);
        update();
      });
    }
    var pending = false, lastW = ui.chart.clientWidth;
    window.addEventListener('resize', function () {
      if (pending || ui.chart.clientWidth === lastW) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        lastW = ui.chart.clientWidth;
        drawChart();
        drawFunnel();
      });
    });
    window.addEventListener('hashchange', function () { readHash(); update(false); });
    update(false);
    document.documentElement.setAttribute('data-report', 'ready');
  }

  // For tests and the curious: the current view's CSV and choices.
  window.KPIReport = {
    csv: csv,
    state: function () {
      return { segmentation: segmentation().name, from: data.days[state.from], to: data.days[state.to],
        series: visibleSeries().map(function (s) { return s.name; }) };
    }
  };

  init();
}());

// Browser code: the latency chart of a host's last 60 probes as inline SVG. One bar per probe,
// newest on the right; a failed probe is a full-height red bar, so an outage stands out even when
// the latencies around it are tiny. The scale floor (5 ms) keeps sub-millisecond jitter flat.
export const chartJs = `
var CHART_SLOTS = 60;
var CHART_W = 180;
var CHART_H = 36;

function median(values) {
  if (values.length === 0) return null;
  var sorted = values.slice().sort(function (a, b) { return a - b; });
  var mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function chartSummary(history) {
  var points = history.slice(-CHART_SLOTS);
  var okMs = points.filter(function (p) { return p.ok; }).map(function (p) { return p.ms; });
  var failed = points.length - okMs.length;
  if (points.length === 0) return 'no probes yet';
  var parts = ['last ' + plural(points.length, 'probe', 'probes')];
  if (okMs.length > 0) {
    parts.push('median ' + fmtMs(median(okMs)));
    parts.push('max ' + fmtMs(Math.max.apply(null, okMs)));
  }
  parts.push(failed === 0 ? 'none failed' : plural(failed, 'failed', 'failed'));
  return parts.join(', ');
}

function latencyChart(history) {
  var points = history.slice(-CHART_SLOTS);
  var okMs = points.filter(function (p) { return p.ok; }).map(function (p) { return p.ms; });
  var top = Math.max(5, Math.max.apply(null, okMs.concat([0])));
  var slot = CHART_W / CHART_SLOTS;
  var first = CHART_SLOTS - points.length;
  var okBars = [];
  var failBars = [];
  // Two paths (ok, failed) of one rectangle each per probe, rather than 60 <rect>s: a page with a
  // few hundred hosts redraws every chart on each refresh, and node count is what costs.
  points.forEach(function (p, i) {
    var height = p.ok ? Math.max(1.5, (p.ms / top) * (CHART_H - 2)) : CHART_H - 2;
    var x = (first + i) * slot + 0.4;
    var bar = 'M' + x.toFixed(1) + ' ' + (CHART_H - 1).toFixed(1) + 'v-' + height.toFixed(1) + 'h' + (slot - 0.8).toFixed(1) + 'v' + height.toFixed(1) + 'z';
    (p.ok ? okBars : failBars).push(bar);
  });
  var summary = chartSummary(history);
  return svg('svg', {
    class: 'chart',
    viewBox: '0 0 ' + CHART_W + ' ' + CHART_H,
    preserveAspectRatio: 'none',
    role: 'img',
    'aria-label': 'Probe latency: ' + summary,
    'data-points': points.length,
    'data-failed': failBars.length,
  }, [
    svg('title', { text: 'Probe latency, newest on the right: ' + summary + (okMs.length ? '; full height ' + fmtMs(top) : '') }),
    svg('line', { class: 'base', x1: 0, x2: CHART_W, y1: CHART_H - 0.5, y2: CHART_H - 0.5 }),
    okBars.length ? svg('path', { class: 'bar', d: okBars.join('') }) : null,
    failBars.length ? svg('path', { class: 'fail', d: failBars.join('') }) : null,
  ]);
}
`;

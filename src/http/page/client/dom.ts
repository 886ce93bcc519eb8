// Browser code (a plain-JS string, run inside the page's one IIFE): DOM building and formatting.
// Every value from the API enters the DOM as a text node or an attribute value — never as markup —
// so a host name like "<img onerror=…>" shows as text. No backticks or backslashes in here: this
// source is itself a template literal.
export const domJs = `
var SVG_NS = 'http://www.w3.org/2000/svg';

/** h('div', { class: 'x', text: 'y', 'data-host': n }, [children]) */
function h(tag, attrs, children) {
  var el = document.createElement(tag);
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

function svg(tag, attrs, children) {
  var el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  appendAll(el, children);
  return el;
}

function setAttrs(el, attrs) {
  if (!attrs) return;
  Object.keys(attrs).forEach(function (key) {
    var value = attrs[key];
    if (value === null || value === undefined || value === false) return;
    if (key === 'text') el.textContent = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  });
}

function appendAll(el, children) {
  if (!children) return;
  children.forEach(function (child) {
    if (child === null || child === undefined || child === false) return;
    el.append(typeof child === 'string' || typeof child === 'number' ? String(child) : child);
  });
}

/** Replaces an element's children with text only. */
function setText(el, text) {
  var value = text === null || text === undefined ? '' : String(text);
  if (el.textContent !== value) el.textContent = value;
}

function replaceChildren(el, children) {
  el.replaceChildren();
  appendAll(el, children);
}

function pad2(n) { return n < 10 ? '0' + n : String(n); }

/** 45s, 3m 12s, 2h 05m, 3d 4h */
function fmtDuration(ms) {
  var s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return s + 's';
  var m = Math.floor(s / 60);
  if (m < 60) return m + 'm ' + pad2(s % 60) + 's';
  var hours = Math.floor(m / 60);
  if (hours < 48) return hours + 'h ' + pad2(m % 60) + 'm';
  return Math.floor(hours / 24) + 'd ' + (hours % 24) + 'h';
}

/** Local wall-clock time, 24 h, with the date when it is not today. */
function fmtClock(at) {
  var d = new Date(at);
  var time = pad2(d.getHours()) + ':' + pad2(d.getMinutes()) + ':' + pad2(d.getSeconds());
  var today = new Date(nowMs());
  if (d.toDateString() === today.toDateString()) return time;
  return d.getFullYear() + '-' + pad2(d.getMonth() + 1) + '-' + pad2(d.getDate()) + ' ' + time;
}

function fmtAgo(at) {
  if (at === null || at === undefined) return 'never';
  var delta = nowMs() - at;
  if (delta < 1500) return 'just now';
  return fmtDuration(delta) + ' ago';
}

function fmtMs(ms) {
  if (typeof ms !== 'number' || !isFinite(ms)) return '–';
  if (ms < 10) return ms.toFixed(1) + ' ms';
  if (ms < 1000) return Math.round(ms) + ' ms';
  return (ms / 1000).toFixed(2) + ' s';
}

function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

/** The daemon's clock, estimated from the last document (so times do not drift with a skewed laptop clock). */
var clockOffset = 0;
function nowMs() { return Date.now() + clockOffset; }
`;

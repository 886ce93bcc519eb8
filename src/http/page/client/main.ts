// Browser code: the refresh loop. Polls api/state every 2 s (10 s while the tab is hidden), and
// ticks the relative times every second between polls. A failed poll shows a banner and keeps the
// last data on screen, marked stale, rather than blanking the page at the moment it matters most.
export const mainJs = `
var POLL_MS = 2000;
var HIDDEN_POLL_MS = 10000;
var pollTimer = null;
var inFlight = false;
var seenChanges = [];

function announce(text) {
  var stamp = fmtClock(nowMs());
  seenChanges.unshift(stamp + ' ' + text);
  seenChanges = seenChanges.slice(0, 20);
  replaceChildren(document.getElementById('changes'), seenChanges.map(function (line) { return h('li', { text: line }); }));
  var live = document.getElementById('announcer');
  live.append(h('p', { text: text }));
  while (live.childNodes.length > 5) live.removeChild(live.firstChild);
}

function render(state) {
  if (!state || !Array.isArray(state.pools)) throw new Error('api/state did not return the expected document');
  writeAuth = state.writeAuth === 'none' ? 'none' : 'bearer';
  renderHeader(state);
  renderCluster(state);
  renderPools(state);
  renderTransport(state);
  renderZones(state);
  renderProviders(state.providers || []);
  renderAudit(state.audit || null);
  renderRecords(state.records || []);
  tick();
}

function setConnection(problem) {
  var box = document.getElementById('connection');
  if (problem) {
    setText(box, problem + ' — showing the last data received; retrying every ' + (POLL_MS / 1000) + ' s.');
    box.hidden = false;
  } else {
    box.hidden = true;
  }
  document.body.classList.toggle('stale', Boolean(problem));
}

async function poll() {
  if (inFlight) return;
  inFlight = true;
  try {
    // the list of every zone stays on the server: the Zones panel searches instead
    var response = await fetch('api/state?zones=none', { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error('api/state answered HTTP ' + response.status);
    var state = await response.json();
    if (typeof state.generatedAt === 'number') clockOffset = state.generatedAt - Date.now();
    render(state);
    setConnection(null);
  } catch (err) {
    setConnection('Cannot read mxpool state: ' + (err && err.message ? err.message : String(err)));
  } finally {
    inFlight = false;
    schedule();
  }
}

function schedule() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(poll, document.hidden ? HIDDEN_POLL_MS : POLL_MS);
}

function pollNow() {
  clearTimeout(pollTimer);
  poll();
}

/** Updates every relative time on the page from its data-* attribute. */
function tick() {
  var now = nowMs();
  document.querySelectorAll('[data-ago]').forEach(function (el) { setText(el, fmtAgo(Number(el.getAttribute('data-ago')))); });
  document.querySelectorAll('[data-for]').forEach(function (el) {
    setText(el, fmtDuration(now - Number(el.getAttribute('data-for'))) + (el.getAttribute('data-suffix') || ''));
  });
  hostViews.forEach(function (view) {
    var safe = view.safe.getAttribute('data-safe');
    if (safe === null) return setText(view.safe, '');
    var at = Number(safe);
    setText(view.safe, at <= now
      ? 'Safe to stop now (since ' + fmtClock(at) + ')'
      : 'Safe to stop after ' + fmtClock(at) + ' (in ' + fmtDuration(at - now + 999) + ')');
  });
}

document.addEventListener('visibilitychange', function () { if (!document.hidden) pollNow(); });
setInterval(tick, 1000);
poll();
`;

// Browser code: pools and host cards. Cards are built once per layout (the set of pools and hosts)
// and then updated in place, so the drain or disable button a keyboard user has focused survives every refresh.
export const hostsJs = `
var hostViews = new Map();
var poolRoots = new Map();
var layoutKey = null;
var idCounter = 0;

function renderPools(state) {
  var container = document.getElementById('pools');
  var key = JSON.stringify(state.pools.map(function (p) { return [p.name, p.hosts.map(function (x) { return x.name; })]; }));
  if (key !== layoutKey) {
    var active = document.activeElement;
    var focusKey = active && active.getAttribute ? active.getAttribute('data-focus-key') : null;
    hostViews.clear();
    poolRoots.clear();
    replaceChildren(container, state.pools.length > 0
      ? state.pools.map(buildPool)
      : [h('p', { class: 'muted', text: 'No pools configured.' })]);
    layoutKey = key;
    if (focusKey) {
      var again = Array.prototype.find.call(container.querySelectorAll('[data-focus-key]'), function (el) {
        return el.getAttribute('data-focus-key') === focusKey;
      });
      if (again) again.focus();
    }
  }
  state.pools.forEach(function (pool) {
    updatePool(pool);
    pool.hosts.forEach(function (host) { updateHost(hostViews.get(host.name), host, pool); });
  });
}

function buildPool(pool) {
  var titleId = 'pool-title-' + (++idCounter);
  var root = h('section', { class: 'pool', 'data-pool': pool.name, 'aria-labelledby': titleId }, [
    h('div', { class: 'pool-head' }, [
      h('h3', { id: titleId, text: pool.name }),
      h('span', { class: 'meta', 'data-role': '' }),
      h('span', { class: 'meta', 'data-healthy': '' }),
    ]),
    h('dl', { class: 'kv', 'data-published': '' }),
    h('div', { class: 'hosts' }, pool.hosts.map(buildHost)),
  ]);
  poolRoots.set(pool.name, root);
  return root;
}

function updatePool(pool) {
  var root = poolRoots.get(pool.name);
  if (!root) return;
  var names = [];
  if (pool.mx) names.push('MX ' + pool.mx.name + ' (preference ' + pool.mx.preference + ')');
  if (pool.hostname) names.push((pool.role === 'outbound' ? 'relay ' : 'A/AAAA ') + pool.hostname);
  setText(root.querySelector('[data-role]'), pool.role + ' pool' + (names.length ? ' · ' + names.join(' · ') : ''));
  var healthy = root.querySelector('[data-healthy]');
  setText(healthy, pool.healthyCount + ' of ' + pool.hosts.length + ' healthy (min ' + pool.minHealthy + ', when all down: ' + pool.whenAllDown + ')');
  healthy.className = 'meta' + (pool.healthyCount < pool.minHealthy ? ' bad-text' : '');
  var published = root.querySelector('[data-published]');
  var fingerprint = JSON.stringify(pool.published);
  if (published.getAttribute('data-fingerprint') === fingerprint) return;
  published.setAttribute('data-fingerprint', fingerprint);
  var rows = [];
  pool.published.forEach(function (set) {
    rows.push(h('dt', { text: set.type + ' ' + set.name }));
    rows.push(h('dd', { class: 'mono', text: set.values.length ? set.values.join(', ') : '(none)' }));
  });
  if (rows.length === 0) rows = [h('dt', { text: 'publishes' }), h('dd', { class: 'bad-text', text: 'nothing' })];
  replaceChildren(published, rows);
}

function buildHost(host) {
  var button = h('button', { type: 'button', 'data-focus-key': 'drain:' + host.name });
  var toggle = h('button', { type: 'button', 'data-focus-key': 'disable:' + host.name });
  var view = {
    name: host.name,
    /** the pool's role: the result of a disable says whether SPF changes too */
    role: null,
    fingerprint: null,
    lastState: null,
    root: null,
    badge: h('span', { class: 'state' }),
    address: h('dd', { class: 'mono' }),
    since: h('dd'),
    probe: h('dd'),
    tls: h('dd'),
    weight: h('dd'),
    dns: h('dd'),
    votesLabel: h('dt', { text: 'votes', hidden: true }),
    votes: h('dd', { 'data-votes': '', hidden: true }),
    securityTerm: h('dt', { text: 'security' }),
    security: h('dd', { 'data-security': '' }),
    dnsblTerm: h('dt', { text: 'DNSBL' }),
    dnsbl: h('dd', { 'data-dnsbl': '' }),
    chart: h('div'),
    caption: h('div', { class: 'chart-caption' }),
    button: button,
    toggle: toggle,
    safe: h('span', { class: 'safe' }),
    note: h('span', { class: 'muted' }),
  };
  [button, toggle].forEach(function (el) {
    el.addEventListener('click', function () { runHostAction(view.name, el.getAttribute('data-action'), el); });
  });
  view.root = h('article', { class: 'host', 'data-host': host.name }, [
    h('div', { class: 'host-head' }, [h('h4', { text: host.name }), view.badge]),
    h('dl', { class: 'kv' }, [
      h('dt', { text: 'address' }), view.address,
      h('dt', { text: 'in state' }), view.since,
      h('dt', { text: 'last probe' }), view.probe,
      h('dt', { text: 'TLS' }), view.tls,
      h('dt', { text: 'weight' }), view.weight,
      h('dt', { text: 'DNS' }), view.dns,
      view.votesLabel, view.votes,
      view.securityTerm, view.security,
      view.dnsblTerm, view.dnsbl,
    ]),
    view.chart,
    view.caption,
    h('div', { class: 'actions' }, [button, toggle, view.note, view.safe]),
  ]);
  hostViews.set(host.name, view);
  return view.root;
}

function updateHost(view, host, pool) {
  if (!view) return;
  // most refreshes change few hosts (probes run every few seconds, the page polls every 2)
  var votes = clusterVotes.get(host.name);
  var fingerprint = JSON.stringify(host) + pool.role + JSON.stringify(votes || null);
  if (view.fingerprint === fingerprint) return;
  view.fingerprint = fingerprint;
  view.role = pool.role;
  var probe = host.lastProbe;
  if (view.lastState !== null && view.lastState !== host.state) {
    announce(host.name + ' is now ' + host.state + (host.state === 'unhealthy' && probe && probe.reason ? ': ' + probe.reason : ''));
  }
  view.lastState = host.state;
  view.root.className = 'host s-' + host.state;
  view.root.setAttribute('data-state', host.state);
  view.badge.className = 'state s-' + host.state;
  setText(view.badge, host.state);
  setText(view.address, host.address + ':' + host.port);
  view.since.setAttribute('data-for', String(host.since));
  view.since.setAttribute('data-suffix', ' (since ' + fmtClock(host.since) + ')');
  replaceChildren(view.probe, probeSummary(host));
  replaceChildren(view.tls, tlsSummary(probe));
  setText(view.weight, String(host.weight) + (host.weight === 0 ? ' (never chosen)' : ''));
  var dns = host.inDns ? 'published' : 'withdrawn';
  if (pool.role === 'outbound') dns += host.inSpf ? ' · in SPF' : ' · not in SPF';
  var withheld = host.withheld || [];
  if (withheld.length > 0) dns += ' · held out: ' + withheld.join('; ');
  setText(view.dns, dns);
  view.dns.className = host.inDns ? '' : 'warn-text';
  view.votesLabel.hidden = view.votes.hidden = votes === undefined;
  if (votes !== undefined) replaceChildren(view.votes, votesSummary(votes));
  updateHygiene(view, host);
  var chartKey = host.history.length ? host.history[host.history.length - 1].at + ':' + host.history.length : 'none';
  if (view.chart.getAttribute('data-key') !== chartKey) {
    view.chart.setAttribute('data-key', chartKey);
    replaceChildren(view.chart, [latencyChart(host.history)]);
    setText(view.caption, 'Latency, ' + chartSummary(host.history));
  }
  updateHostButtons(view, host);
}

function probeSummary(host) {
  var probe = host.lastProbe;
  if (!probe) return [h('span', { class: 'muted', text: 'not probed yet' })];
  var parts = [];
  if (probe.ok) parts.push(h('span', { class: 'result ok-text', text: 'ok' }), ' through ' + probe.stage);
  else parts.push(h('span', { class: 'result bad-text', text: 'failed at ' + probe.stage }), probe.reason ? ': ' + probe.reason : '');
  parts.push(' · ' + fmtMs(probe.ms) + ' · ', h('span', { 'data-ago': String(probe.at), text: fmtAgo(probe.at) }));
  var streak = host.streak;
  if (streak && streak.ok > 0 && host.state === 'unhealthy') parts.push(h('span', { class: 'muted', text: ' · ' + streak.ok + ' ok in a row, rising' }));
  if (streak && streak.fail > 0 && host.state === 'healthy') parts.push(h('span', { class: 'warn-text', text: ' · ' + streak.fail + ' failed in a row' }));
  return parts;
}

/** The relay security and DNSBL rows: shown only for hosts those checks cover. */
function updateHygiene(view, host) {
  var security = host.security;
  view.securityTerm.hidden = view.security.hidden = !security;
  if (security) replaceChildren(view.security, securitySummary(security));
  var lists = host.dnsbl || [];
  view.dnsblTerm.hidden = view.dnsbl.hidden = lists.length === 0;
  replaceChildren(view.dnsbl, lists.map(function (entry) {
    var text, cls;
    if (entry.listed && entry.status === 'listed') {
      text = 'listed on ' + entry.zone + ' (' + entry.codes.join(', ') + (entry.reason ? ': ' + entry.reason : '') + ')';
      cls = 'bad-text';
    } else if (entry.listed) {
      text = 'listed on ' + entry.zone + ' (kept: the last lookup gave ' + (entry.status === 'error' ? 'an error' : 'no answer') + ': ' + entry.reason + ')';
      cls = 'bad-text';
    } else if (entry.status === 'error' || entry.status === 'unknown') {
      text = entry.zone + ': ' + (entry.status === 'error' ? 'lookup error' : 'no answer') + ', not a listing: ' + entry.reason;
      cls = 'warn-text';
    } else {
      text = 'not listed on ' + entry.zone;
      cls = 'ok-text';
    }
    return h('div', { class: cls, 'data-zone': entry.zone, text: text });
  }));
}

function securitySummary(security) {
  var parts = [];
  if (security.at === null) return [h('span', { class: 'muted', text: 'not checked yet' })];
  if (security.findings.length === 0) parts.push(h('div', { class: 'ok-text', text: 'no findings' }));
  security.findings.forEach(function (finding) {
    parts.push(h('div', { class: 'bad-text', 'data-finding': finding.id }, [h('code', { text: finding.id }), ': ' + finding.message]));
  });
  if (security.error) parts.push(h('div', { class: 'warn-text', text: 'last check did not finish: ' + security.error }));
  parts.push(h('div', { class: 'muted' }, [
    security.onFinding === 'withdraw' ? 'findings withdraw the host' : 'findings are only reported',
    ' · checked ', h('span', { 'data-ago': String(security.at), text: fmtAgo(security.at) }),
  ]));
  return parts;
}

function tlsSummary(probe) {
  if (!probe) return ['–'];
  var tls = probe.tls;
  if (!tls) return [h('span', { class: 'muted', text: probe.ok ? 'no STARTTLS' : 'not reached' })];
  var parts = [tls.protocol || 'TLS'];
  if (typeof tls.daysLeft === 'number') {
    var days = Math.floor(tls.daysLeft);
    var text = days < 0 ? 'certificate expired' : 'certificate ' + plural(days, 'day', 'days') + ' left';
    var cls = days < 7 ? 'bad-text' : days < 30 ? 'warn-text' : '';
    parts.push(' · ', h('span', { class: cls, title: tls.validTo ? 'valid until ' + new Date(tls.validTo).toISOString() : null, text: text }));
  }
  return parts;
}
`;

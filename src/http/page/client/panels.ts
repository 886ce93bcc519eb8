// Browser code: the zone header, operator notes, provider sync, audit findings and the table of
// records published now. Each panel is rebuilt only when its data changed, so text an operator
// has selected (say, a record value to copy) is not wiped by every refresh.
export const panelsJs = `
function changed(el, data) {
  var fingerprint = JSON.stringify(data);
  if (el.getAttribute('data-fingerprint') === fingerprint) return false;
  el.setAttribute('data-fingerprint', fingerprint);
  return true;
}

function renderHeader(state) {
  setText(document.getElementById('zone-name'), state.zone);
  setText(document.getElementById('serial'), String(state.serial));
  setText(document.getElementById('ttl'), state.ttl + 's');
  var ns = state.nameserver;
  setText(document.getElementById('nameserver'), ns ? ns.listen.join(', ') + ' · ' + plural(ns.queries, 'query', 'queries') : 'off');
  document.getElementById('uptime').setAttribute('data-for', String(state.startedAt));
  document.getElementById('updated').setAttribute('data-ago', String(state.generatedAt));
  document.getElementById('warmup').hidden = state.firstRoundDone !== false;
  var notes = document.getElementById('notes');
  var grace = state.spfGrace || [];
  var refused = state.config ? state.config.lastReloadError : null;
  if (changed(notes, [state.notes, grace, refused])) {
    replaceChildren(notes, reloadBanner(state.config).concat(state.notes.map(function (note) { return h('p', { class: 'banner warn', text: note }); })).concat(grace.map(function (entry) {
      var holder = entry.host ? ' (removed host ' + entry.host + ')' : '';
      return h('p', { class: 'banner info', 'data-spf-grace': entry.address, text: entry.address + holder + ' is no longer in the config; SPF keeps it until ' + fmtClock(entry.until) + ' (twice the TTL, for mail it queued before).' });
    })));
  }
  document.title = 'mxpool ' + state.zone + ' · ' + summaryTitle(state);
}

// A refused reload: the file on disk is not what serve runs; the operator must see that first.
function reloadBanner(config) {
  var refused = config ? config.lastReloadError : null;
  if (!refused) return [];
  var head = 'Config reload refused at ' + fmtClock(refused.at) + ' (' + refused.trigger + '): serve still runs the config loaded at ' + fmtClock(config.loadedAt) + '. Fix the file and reload again:';
  return [h('div', { class: 'banner bad', role: 'alert', 'data-reload-error': '' }, [h('p', { text: head }), h('ul', { class: 'mono' }, refused.errors.map(function (line) { return h('li', { text: line }); }))])];
}

function summaryTitle(state) {
  var total = 0, healthy = 0;
  state.pools.forEach(function (pool) {
    pool.hosts.forEach(function (host) { total += 1; if (host.state === 'healthy') healthy += 1; });
  });
  return healthy + '/' + total + ' healthy';
}

function renderRecords(records) {
  var box = document.getElementById('records');
  if (!changed(box, records)) return;
  if (records.length === 0) return replaceChildren(box, [h('p', { class: 'muted', text: 'Nothing published yet.' })]);
  var rows = records.map(function (set) {
    return h('tr', { 'data-record': set.name + ' ' + set.type }, [
      h('td', { class: 'mono', 'data-label': 'name', text: set.name }),
      h('td', { 'data-label': 'type', text: set.type }),
      h('td', { 'data-label': 'TTL', text: String(set.ttl) }),
      h('td', { class: 'values mono', 'data-label': 'values' }, set.values.map(function (v) { return h('div', { text: v }); })),
      h('td', { class: 'muted', 'data-label': 'from', text: set.source + (set.pool ? ' ' + set.pool : '') }),
    ]);
  });
  replaceChildren(box, [h('div', { class: 'table-wrap' }, [h('table', { class: 'records' }, [
    h('thead', null, [h('tr', null, ['Name', 'Type', 'TTL', 'Values', 'From'].map(function (t) { return h('th', { scope: 'col', text: t }); }))]),
    h('tbody', null, rows),
  ])])]);
}

function renderProviders(providers) {
  var box = document.getElementById('providers');
  if (!changed(box, providers)) return;
  if (providers.length === 0) {
    return replaceChildren(box, [h('p', { class: 'muted', text: 'No providers configured: the built-in nameserver is the only target.' })]);
  }
  replaceChildren(box, [h('ul', { class: 'findings' }, providers.map(function (p) {
    var result;
    if (p.ok === null || p.at === null) result = h('span', { class: 'muted', text: 'not synced yet' });
    else if (p.ok) result = h('span', { class: 'ok-text', text: 'ok · ' + plural(p.changes, 'change', 'changes') });
    else result = h('span', { class: 'bad-text', text: 'failed' + (p.error ? ': ' + p.error : '') });
    return h('li', { 'data-provider': p.name }, [
      h('b', { text: p.name }), ' · ', result,
      p.at === null ? null : h('span', { class: 'muted' }, [' · ', h('span', { 'data-ago': String(p.at), text: fmtAgo(p.at) })]),
    ]);
  }))]);
}

var SEVERITIES = [['error', 'Errors'], ['warning', 'Warnings'], ['info', 'Info']];

function renderAudit(audit) {
  var box = document.getElementById('audit');
  if (!changed(box, audit)) return;
  if (!audit) return replaceChildren(box, [h('p', { class: 'muted', text: 'The first audit has not run yet.' })]);
  var s = audit.summary;
  var children = [h('div', { class: 'counts' }, [
    h('span', { class: 'count error', 'data-count': 'error', text: plural(s.errors, 'error', 'errors') }),
    h('span', { class: 'count warning', 'data-count': 'warning', text: plural(s.warnings, 'warning', 'warnings') }),
    h('span', { class: 'count info', 'data-count': 'info', text: plural(s.infos, 'info', 'info') }),
    h('span', { class: 'muted' }, ['ran ', h('span', { 'data-ago': String(audit.at), text: fmtAgo(audit.at) })]),
  ])];
  SEVERITIES.forEach(function (pair) {
    var findings = audit.findings.filter(function (f) { return f.severity === pair[0]; });
    if (findings.length === 0) return;
    children.push(h('h3', { class: 'visually-hidden', text: pair[1] }));
    children.push(h('ul', { class: 'findings', 'data-severity': pair[0] }, findings.map(function (f) {
      var cls = pair[0] === 'error' ? 'bad-text' : pair[0] === 'warning' ? 'warn-text' : 'muted';
      return h('li', { 'data-finding': f.id }, [
        h('span', { class: 'sev ' + cls, text: f.severity }),
        h('code', { text: f.id }), ' ', h('span', { class: 'mono', text: f.record }), ': ', f.message,
        f.rfc ? h('span', { class: 'muted', text: ' (' + f.rfc + ')' }) : null,
      ]);
    })));
  });
  if (audit.findings.length === 0) children.push(h('p', { class: 'ok-text', text: 'No findings.' }));
  replaceChildren(box, children);
}
`;

// Browser code: the transport-security panel (MTA-STS, TLS-RPT, DANE; `transport` in api/state,
// present only with auth.mtaSts or auth.dane). One line per fact an operator checks at a glance:
// the policy served, the places that publish its id, MX names held back and what they wait for,
// where TLS reports go, and each MX host's TLSA state. It lists hosts and places, never zones, so
// it stays short with 10,000 tenant zones.
export const transportJs = `
function renderTransport(state) {
  var section = document.getElementById('transport-section');
  var transport = state.transport;
  section.hidden = !transport;
  if (!transport) return;
  var box = document.getElementById('transport');
  var tlsRpt = tlsRptAddresses(state.records || [], state.zone);
  if (!changed(box, [transport, tlsRpt])) return;
  var rows = [];
  var row = function (term, key, children) {
    rows.push(h('dt', { text: term }), h('dd', { 'data-transport': key }, children));
  };
  row('MTA-STS', 'mta-sts', stsSummary(transport.mtaSts));
  if (transport.mtaSts) {
    row('policy id at', 'sts-places', transport.stsPlaces.length
      ? transport.stsPlaces.map(stsPlaceLine)
      : [h('span', { class: 'muted', text: 'no place publishes the zone yet' })]);
    row('held out of MX', 'held-mx', heldMxLines(transport.heldMx));
  }
  row('TLS-RPT', 'tls-rpt', tlsRpt.length
    ? [h('span', { class: 'mono', text: tlsRpt.join(', ') })]
    : [h('span', { class: 'muted', text: 'not published (auth.tlsRpt): failed deliveries go unreported' })]);
  row('DANE', 'dane', daneLines(transport.dane));
  replaceChildren(box, [h('dl', { class: 'kv' }, rows)]);
}

function stsSummary(sts) {
  if (!sts) return [h('span', { class: 'muted', text: 'off (no auth.mtaSts)' })];
  var cls = sts.mode === 'enforce' ? 'ok-text' : sts.mode === 'none' ? 'warn-text' : '';
  return [
    h('b', { class: cls, text: 'mode ' + sts.mode }),
    ' · policy id ', h('code', { text: sts.id }),
    ' · ' + plural(sts.names.length, 'MX name', 'MX names') + ' in the policy',
  ];
}

function stsPlaceLine(place) {
  var parts = [h('b', { text: place.place }), ': '];
  if (place.id === null) parts.push(h('span', { class: 'warn-text', text: 'no id yet' }));
  else parts.push('id ', h('code', { text: place.id }), place.since === null ? '' : ' since ' + fmtClock(place.since));
  if (place.error) parts.push(h('span', { class: 'bad-text', text: ' · sync failing' + (place.failingSince === null ? '' : ' since ' + fmtClock(place.failingSince)) + ': ' + place.error }));
  return h('div', { 'data-place': place.place }, parts);
}

function heldMxLines(held) {
  if (held.length === 0) return [h('span', { class: 'ok-text', text: 'none: every policy name may be in MX' })];
  return held.map(function (entry) {
    var why = entry.waitingFor.length
      ? 'waits until ' + entry.waitingFor.join(', ') + ' carr' + (entry.waitingFor.length === 1 ? 'ies' : 'y') + ' the policy id, then one TTL'
      : entry.until === null ? 'waits for the policy to be served for one TTL' : 'enters MX at ' + fmtClock(entry.until) + ' (the policy naming it served for one TTL)';
    return h('div', { class: 'warn-text', 'data-held': entry.host }, [h('b', { text: entry.host }), ': ' + why]);
  });
}

function daneLines(hosts) {
  if (hosts.length === 0) return [h('span', { class: 'muted', text: 'off (no auth.dane)' })];
  var withTlsa = hosts.filter(function (host) { return host.published.length > 0; }).length;
  var lines = [h('div', { text: 'TLSA published for ' + withTlsa + ' of ' + plural(hosts.length, 'MX host', 'MX hosts') })];
  return lines.concat(hosts.map(daneHostLine));
}

function daneHostLine(host) {
  var text, cls;
  var others = host.published.filter(function (key) { return key !== host.presented; });
  if (host.mismatch) {
    cls = 'bad-text';
    text = 'presents ' + shortKey(host.mismatch.key) + ', which no TLSA published long enough matches' + (host.mismatch.until === null ? '' : ' (matched from ' + fmtClock(host.mismatch.until) + ')');
  } else if (host.published.length === 0) {
    cls = 'muted';
    text = host.presented === null ? 'no TLSA: no key seen yet' : 'no TLSA published (presents ' + shortKey(host.presented) + ')';
  } else if (host.presented !== null && others.length > 0 && others.length < host.published.length) {
    cls = 'warn-text';
    text = 'rollover in progress: ' + host.published.length + ' TLSA keys published, presents ' + shortKey(host.presented) + ', also ' + others.map(shortKey).join(', ');
  } else if (host.presented === null) {
    cls = 'muted';
    text = plural(host.published.length, 'TLSA key', 'TLSA keys') + ' published; no key seen yet';
  } else if (others.length > 0) {
    // no mismatch claimed, yet the key is not listed: TLSA given by hand with a DANE-TA record (the chain decides)
    cls = 'warn-text';
    text = 'presents ' + shortKey(host.presented) + '; TLSA published: ' + others.map(shortKey).join(', ');
  } else {
    cls = 'ok-text';
    text = 'TLSA published, matches the key presented (' + shortKey(host.presented) + ')';
  }
  return h('div', { 'data-dane': host.host }, [h('b', { text: host.host }), ': ', h('span', { class: cls, text: text, title: host.published.join(' / ') || null })]);
}

/** "1 1 3f9c2a4b…": selector, matching type and the start of the digest (the full keys are in the title). */
function shortKey(key) {
  var parts = key.split(' ');
  return parts.length === 3 ? parts[0] + ' ' + parts[1] + ' ' + parts[2].slice(0, 8) + '…' : key;
}

/** The rua= addresses of the _smtp._tls TXT the zone publishes (the TXT value as the records table shows it). */
function tlsRptAddresses(records, zone) {
  var set = records.find(function (r) { return r.type === 'TXT' && r.name === '_smtp._tls.' + zone; });
  if (!set) return [];
  var addresses = [];
  set.values.forEach(function (value) {
    // quoted character-strings: the text is every other piece between the quotes
    var text = value.split('"').filter(function (_, i) { return i % 2 === 1; }).join('');
    text.split(';').forEach(function (tag) {
      var pair = tag.trim();
      if (pair.slice(0, 4).toLowerCase() === 'rua=') pair.slice(4).split(',').forEach(function (a) { if (a.trim()) addresses.push(a.trim()); });
    });
  });
  return addresses;
}
`;

// Browser code: the zones of a server with tenant (customer) zones. The page never downloads the
// list of every zone — with 10,000 of them that would be a megabyte every poll — but shows the
// counts from api/state and searches with api/zones (at most 50 rows), refreshed with each poll.
// Hidden when the config has no tenants.
export const zonesJs = `
var ZONE_ROWS = 50;
var zoneQuery = '';
var zoneTimer = null;
var zoneAsked = 0;

function fmtCount(n) { return Number(n).toLocaleString('en-US'); }

function renderZones(state) {
  var counts = state.zoneCounts;
  var section = document.getElementById('zones-section');
  if (!counts || counts.tenants === 0) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  var box = document.getElementById('zone-counts');
  if (changed(box, counts)) {
    replaceChildren(box, [h('div', { class: 'counts' }, [
      h('span', { class: 'count info', 'data-count': 'zones', text: fmtCount(counts.total) + (counts.total === 1 ? ' zone' : ' zones') }),
      h('span', { class: 'count info', 'data-count': 'tenants', text: fmtCount(counts.tenants) + ' tenant' }),
      h('span', { class: 'count ' + (counts.withoutMx > 0 ? 'warning' : 'info'), 'data-count': 'without-mx', text: fmtCount(counts.withoutMx) + ' without MX' }),
      h('span', { class: 'count ' + (counts.withNotes > 0 ? 'warning' : 'info'), 'data-count': 'with-notes', text: fmtCount(counts.withNotes) + ' with notes' }),
      h('span', { class: 'count ' + (counts.syncFailing > 0 ? 'error' : 'info'), 'data-count': 'sync-failing', text: fmtCount(counts.syncFailing) + ' failing to sync' }),
    ])]);
  }
  searchZones();
}

function searchZones() {
  var asked = ++zoneAsked;
  fetch('api/zones?limit=' + ZONE_ROWS + '&q=' + encodeURIComponent(zoneQuery), { cache: 'no-store', headers: { Accept: 'application/json' } })
    .then(function (response) {
      if (!response.ok) throw new Error('api/zones answered HTTP ' + response.status);
      return response.json();
    })
    .then(function (result) { if (asked === zoneAsked) renderZoneResults(result); })
    .catch(function (err) {
      if (asked === zoneAsked) setText(document.getElementById('zone-status'), 'Cannot search the zones: ' + (err && err.message ? err.message : String(err)));
    });
}

function renderZoneResults(result) {
  var status = result.matched === 0
    ? 'No zone matches "' + result.query + '".'
    : 'Showing ' + fmtCount(result.zones.length) + ' of ' + fmtCount(result.matched) + (result.query ? ' zones matching "' + result.query + '"' : ' zones')
      + (result.matched > result.zones.length ? ': type more of a name to narrow it down.' : '.');
  setText(document.getElementById('zone-status'), status);
  var box = document.getElementById('zone-results');
  if (!changed(box, result.zones)) return;
  if (result.zones.length === 0) return replaceChildren(box, []);
  var rows = result.zones.map(function (zone) {
    return h('tr', { 'data-zone': zone.zone }, [
      h('td', { class: 'mono', 'data-label': 'zone', text: zone.zone + (zone.kind === 'zone' ? ' (own zone)' : '') }),
      h('td', { class: 'mono', 'data-label': 'serial', text: String(zone.serial) }),
      h('td', { class: 'values mono' + (zone.mx.length === 0 ? ' warn-text' : ''), 'data-label': 'MX', text: zone.mx.length === 0 ? 'none' : zone.mx.join(', ') }),
      h('td', { class: 'values', 'data-label': 'sync' }, zone.providers.map(function (p) {
        if (p.ok === null) return h('div', { class: 'muted', text: p.name + ': not synced yet' });
        return p.ok ? h('div', { class: 'ok-text', text: p.name + ': ok' }) : h('div', { class: 'bad-text', text: p.name + ': failed' + (p.error ? ': ' + p.error : '') });
      })),
      h('td', { class: 'values', 'data-label': 'notes' }, zone.notes.map(function (note) { return h('div', { class: 'warn-text', text: note }); })),
    ]);
  });
  replaceChildren(box, [h('div', { class: 'table-wrap' }, [h('table', { class: 'records zones' }, [
    h('thead', null, [h('tr', null, ['Zone', 'Serial', 'MX', 'Sync', 'Notes'].map(function (t) { return h('th', { scope: 'col', text: t }); }))]),
    h('tbody', null, rows),
  ])])]);
}

document.getElementById('zone-search').addEventListener('input', function (event) {
  zoneQuery = event.target.value;
  clearTimeout(zoneTimer);
  zoneTimer = setTimeout(searchZones, 150);
});
`;

// Browser code: the cluster panel (with `cluster:` only) — etcd reachability, members, the leader,
// the quorum in numbers, the agreed version, findings — and each node's vote for the host cards
// (hosts.ts reads `clusterVotes`). Hidden entirely on a single mxpool.
export const clusterJs = `
var clusterVotes = new Map();

function renderCluster(state) {
  var cluster = state.cluster || null;
  var section = document.getElementById('cluster-section');
  clusterVotes = new Map();
  if (!cluster) {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  cluster.hosts.forEach(function (host) { clusterVotes.set(host.host, host.votes); });
  var box = document.getElementById('cluster');
  if (!changed(box, cluster)) return;
  var etcd = cluster.etcd;
  var parts = [];
  if (etcd.state !== 'live') {
    parts.push(h('p', { class: 'banner bad', role: 'alert', 'data-etcd': etcd.state, text:
      'etcd ' + (etcd.state === 'connecting' ? 'not reached yet' : 'unreachable') + ' from node ' + cluster.node + ' since ' + fmtClock(etcd.since) +
      ': serving the last agreed zone, withdrawing nothing on the view of this node alone' + (etcd.error ? ' (' + etcd.error + ')' : '') + '.' }));
  }
  var q = cluster.quorum;
  parts.push(h('dl', { class: 'kv' }, [
    h('dt', { text: 'this node' }), h('dd', { 'data-cluster-node': '', text: cluster.node + (cluster.isLeader ? ' (leader)' : '') }),
    h('dt', { text: 'leader' }), h('dd', { 'data-cluster-leader': '', class: cluster.leader ? '' : 'warn-text', text: cluster.leader || 'none' }),
    h('dt', { text: 'etcd' }), h('dd', { class: etcd.state === 'live' ? 'ok-text' : 'bad-text', text: etcd.state + ' · ' + etcd.endpoints.join(', ') }),
    h('dt', { text: 'quorum' }), h('dd', { 'data-cluster-quorum': '', text: q.live + ' live · withdrawn when ' + q.downToWithdraw + ' see a host down, back when ' + q.upToReturn + ' see it up (' + (q.setting === 'majority' ? 'majority' : 'fixed ' + q.setting) + ')' }),
    h('dt', { text: 'agreed' }), h('dd', { 'data-cluster-agreed': '', text: cluster.agreed
      ? 'serial ' + cluster.agreed.serial + ' by ' + cluster.agreed.by + ' at ' + fmtClock(cluster.agreed.at) + (cluster.serving === 'saved-agreed' ? ' (from the copy saved on this node)' : '')
      : 'nothing agreed yet' }),
  ]));
  parts.push(h('ul', { class: 'members', 'aria-label': 'Members' }, cluster.members.map(function (member) {
    var notes = [];
    if (member.leader) notes.push('leader');
    if (member.self) notes.push('this node');
    if (!member.sameConfig) notes.push('config differs');
    return h('li', { 'data-member': member.node }, [
      h('b', { text: member.node }),
      notes.length ? ' (' + notes.join(', ') + ')' : '',
      member.nameserver.length ? ' · DNS ' + member.nameserver.join(', ') : '',
      member.http ? ' · API ' + member.http : '',
      h('span', { class: 'muted', text: ' · up since ' + fmtClock(member.startedAt) }),
    ]);
  })));
  if (cluster.findings.length) {
    parts.push(h('p', { class: 'banner warn', text: cluster.findings.length + ' key(s) in etcd not believed:' }));
    parts.push(h('ul', { class: 'findings', 'data-cluster-findings': '' }, cluster.findings.map(function (f) {
      return h('li', {}, [h('code', { text: f.key }), ': ' + f.message]);
    })));
  }
  replaceChildren(box, parts);
}

function votesSummary(votes) {
  if (!votes || votes.length === 0) return [h('span', { class: 'muted', text: 'no votes yet' })];
  var parts = [];
  votes.forEach(function (v, i) {
    if (i > 0) parts.push(' · ');
    parts.push(h('span', { class: v.vote === 'up' ? 'ok-text' : 'bad-text', 'data-vote': v.node, title: v.reason || null, text: v.node + ' ' + v.vote }));
  });
  return parts;
}
`;

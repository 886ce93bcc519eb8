// What a node believes of etcd's content (src/cluster/view.ts, keys.ts, codec.ts): every value is
// checked on the way in; garbage, oversized values, unknown hosts and zones are findings, not state.
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { ClusterView, type KvEvent } from '../../src/cluster/view.ts';
import { encodeLarge, MAX_SMALL_VALUE } from '../../src/cluster/codec.ts';
import { keys, parseKey } from '../../src/cluster/keys.ts';
import type { AgreedVersion } from '../../src/cluster/types.ts';

const put = (key: string, value: string | Buffer, createRevision = 5): KvEvent => ({ type: 'put', key, value: Buffer.isBuffer(value) ? value : Buffer.from(value), createRevision, modRevision: createRevision });
const del = (key: string): KvEvent => ({ type: 'delete', key, value: Buffer.alloc(0), createRevision: 0, modRevision: 9 });

function view() {
  const found: string[] = [];
  const v = new ClusterView({ hosts: new Set(['mx1.example.com']), zones: new Set(['example.com']), now: () => 1, onFinding: (f) => found.push(`${f.key}: ${f.message}`) });
  return { v, found };
}
const member = (node: string) => JSON.stringify({ node, startedAt: 1, http: null, nameserver: [], configDigest: 'x' });
const vote = JSON.stringify({ vote: 'down', since: 1, reason: 'connection refused' });

describe('keys', () => {
  it.each([
    ['members/probe-a', { kind: 'member', node: 'probe-a' }],
    ['election/b', { kind: 'election', node: 'b' }],
    ['votes/a/mx1.example.com', { kind: 'vote', node: 'a', host: 'mx1.example.com' }],
    ['operator/mx1.example.com', { kind: 'operator', host: 'mx1.example.com' }],
    ['agreed', { kind: 'agreed' }],
    ['zones/example.com', { kind: 'zone', zone: 'example.com' }],
    ['votes/a/MX1.example.com', { kind: 'unknown' }],
    ['votes/a', { kind: 'unknown' }],
    ['members/a/b', { kind: 'unknown' }],
    ['members/', { kind: 'unknown' }],
    ['../agreed', { kind: 'unknown' }],
  ])('%s', (key, parsed) => {
    expect(parseKey(key)).toEqual(parsed);
  });

  it('round-trips the layout', () => {
    expect(parseKey(keys.vote('n1', 'mx1.example.com'))).toEqual({ kind: 'vote', node: 'n1', host: 'mx1.example.com' });
    expect(parseKey(keys.zone('example.com'))).toEqual({ kind: 'zone', zone: 'example.com' });
  });
});

describe('ClusterView', () => {
  it('believes well-formed members, elections, votes and operator actions, and forgets deleted ones', () => {
    const { v, found } = view();
    v.apply(put('members/a', member('a'), 7));
    v.apply(put('election/a', 'a', 7));
    v.apply(put('members/b', member('b'), 4));
    v.apply(put('election/b', 'b', 4));
    v.apply(put('votes/a/mx1.example.com', vote));
    v.apply(put('operator/mx1.example.com', JSON.stringify({ drained: true, at: 3, by: 'a' })));
    expect([...v.members.keys()]).toEqual(['a', 'b']);
    expect(v.leader()).toBe('b'); // the oldest election key
    expect(v.votes.get('a')?.get('mx1.example.com')).toEqual({ vote: 'down', since: 1, reason: 'connection refused' });
    expect(v.operator.get('mx1.example.com')).toEqual({ drained: true, at: 3, by: 'a' });
    v.apply(del('election/b'));
    v.apply(del('votes/a/mx1.example.com'));
    expect(v.leader()).toBe('a');
    expect(v.votes.has('a')).toBe(false);
    expect(found).toEqual([]);
  });

  it.each([
    ['a vote that is not JSON', put('votes/a/mx1.example.com', '{not json'), /not JSON/],
    ['a vote of the wrong shape', put('votes/a/mx1.example.com', JSON.stringify({ vote: 'maybe', since: 1, reason: '' })), /unexpected shape at vote/],
    ['a vote about a host not in the config', put('votes/a/other.example.com', vote), /no host of this node's config/],
    ['an oversized operator value', put('operator/mx1.example.com', 'x'.repeat(MAX_SMALL_VALUE + 1)), /over the 4096-byte bound/],
    ['a member under another name', put('members/a', member('b')), /names node b, under the key of a/],
    ['a zone this node does not serve', put('zones/example.org', encodeLarge({})), /which this node does not serve/],
    ['a zone that is not gzip', put('zones/example.com', 'plain'), /not gzip'd JSON/],
    ['a gzip bomb', put('agreed', gzipSync(Buffer.alloc(70 * 1024 * 1024))), /not gzip'd JSON within/],
    ['an agreed version of the wrong shape', put('agreed', encodeLarge({ by: 'a' })), /unexpected shape/],
    ['a key mxpool does not use', put('something/else', '?'), /a key mxpool does not use/],
  ])('%s: a finding, nothing believed', (_what, event, message) => {
    const { v, found } = view();
    v.apply(event);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(message);
    expect(v.findings.map((f) => f.key)).toEqual([event.key]);
    expect(v.votes.size + v.operator.size + v.zones.size + v.members.size).toBe(0);
    expect(v.version).toBeUndefined();
  });

  it('a good value replaced by garbage is no longer believed; the finding goes with the key', () => {
    const { v } = view();
    v.apply(put('votes/a/mx1.example.com', vote));
    v.apply(put('votes/a/mx1.example.com', 'garbage'));
    expect(v.votes.get('a')?.has('mx1.example.com') ?? false).toBe(false);
    expect(v.findings).toHaveLength(1);
    v.apply(del('votes/a/mx1.example.com'));
    expect(v.findings).toHaveLength(0);
  });

  it('names votes of nodes that are not members (strangers)', () => {
    const { v } = view();
    v.apply(put('members/a', member('a')));
    v.apply(put('votes/a/mx1.example.com', vote));
    v.apply(put('votes/evil/mx1.example.com', vote));
    expect(v.strangers()).toEqual(['evil']);
  });

  it('tells when a vote goes from up to down — not at a first read, a rejoin or garbage (confirm probes)', () => {
    const downs: string[] = [];
    const v = new ClusterView({ hosts: new Set(['mx1.example.com']), zones: new Set(['example.com']), now: () => 1, onFinding: () => undefined, onVoteDown: (node, host) => downs.push(`${node}/${host}`) });
    const up = JSON.stringify({ vote: 'up', since: 1, reason: '' });
    v.apply(put('votes/a/mx1.example.com', vote)); // first read: down already
    v.apply(put('votes/b/mx1.example.com', up));
    expect(downs).toEqual([]);
    v.apply(put('votes/b/mx1.example.com', vote)); // b just saw it fail
    expect(downs).toEqual(['b/mx1.example.com']);
    v.apply(put('votes/b/mx1.example.com', vote)); // the same verdict again: nothing new
    v.apply(del('votes/b/mx1.example.com')); // b's lease expired ...
    v.apply(put('votes/b/mx1.example.com', vote)); // ... and b rejoined with its votes
    v.apply(put('votes/a/mx1.example.com', up));
    v.apply(put('votes/a/mx1.example.com', '{garbage'));
    expect(downs).toEqual(['b/mx1.example.com']);
  });

  it('reads a well-formed agreed version', () => {
    const { v } = view();
    const version: AgreedVersion = { by: 'a', at: 5, serials: { 'example.com': 2026120601 }, hosts: { 'mx1.example.com': { state: 'healthy', probed: 'healthy', since: 1 } }, lastKnownGood: {}, retired: [] };
    v.apply({ ...put('agreed', encodeLarge(version)), modRevision: 42 });
    expect(v.version).toEqual({ value: version, revision: 42 });
  });
});

// Table tests of the agreement rules (src/cluster/quorum.ts): pure, no etcd.
import { describe, it, expect } from 'vitest';
import { agreeHealth, agreedProbed, thresholds } from '../../src/cluster/quorum.ts';
import type { OperatorAction, Vote } from '../../src/cluster/types.ts';

type V = 'up' | 'down' | undefined;

describe('thresholds', () => {
  it.each([
    // live, quorum, down needed, up needed
    [1, 'majority', 1, 1],
    [2, 'majority', 2, 2],
    [3, 'majority', 2, 2],
    [4, 'majority', 3, 3],
    [5, 'majority', 3, 3],
    [3, 1, 1, 2],
    [3, 3, 3, 2],
    [1, 2, 2, 1],
  ] as const)('%i live, quorum %s: %i down withdraw, %i up return', (live, quorum, down, up) => {
    expect(thresholds(live, quorum)).toEqual({ down, up });
  });
});

describe('agreedProbed', () => {
  it.each<[string, 'healthy' | 'unhealthy' | undefined, V[], number | 'majority', 'healthy' | 'unhealthy']>([
    ['all up', 'healthy', ['up', 'up', 'up'], 'majority', 'healthy'],
    ['one site cut off from the host: no withdrawal', 'healthy', ['down', 'up', 'up'], 'majority', 'healthy'],
    ['a majority sees it down: withdrawn', 'healthy', ['down', 'down', 'up'], 'majority', 'unhealthy'],
    ['all down', 'healthy', ['down', 'down', 'down'], 'majority', 'unhealthy'],
    ['one up of three does not bring it back', 'unhealthy', ['up', 'down', 'down'], 'majority', 'unhealthy'],
    ['a majority up brings it back', 'unhealthy', ['up', 'up', 'down'], 'majority', 'healthy'],
    ['votes missing: keeps its state (healthy)', 'healthy', ['down', undefined, undefined], 'majority', 'healthy'],
    ['votes missing: keeps its state (unhealthy)', 'unhealthy', ['up', undefined, undefined], 'majority', 'unhealthy'],
    ['a split of two: keeps its state', 'healthy', ['down', 'up'], 'majority', 'healthy'],
    ['two of two down', 'healthy', ['down', 'down'], 'majority', 'unhealthy'],
    ['a single live node decides alone (majority of 1)', 'healthy', ['down'], 'majority', 'unhealthy'],
    ['a single live node brings it back alone', 'unhealthy', ['up'], 'majority', 'healthy'],
    ['quorum 2 with one live node: never withdrawn', 'healthy', ['down'], 2, 'healthy'],
    ['quorum 2 with one live node: still comes back', 'unhealthy', ['up'], 2, 'healthy'],
    ['quorum 1: one node seeing it down withdraws it', 'healthy', ['down', 'up', 'up'], 1, 'unhealthy'],
    ['quorum 1: and it stays out while that node sees it down (no flap)', 'unhealthy', ['down', 'up', 'up'], 1, 'unhealthy'],
    ['quorum 3 of 3: two down are not enough', 'healthy', ['down', 'down', 'up'], 3, 'healthy'],
    ['never agreed, no votes: unhealthy (as an unprobed host)', undefined, [undefined, undefined, undefined], 'majority', 'unhealthy'],
    ['never agreed, a majority up: healthy', undefined, ['up', 'up', undefined], 'majority', 'healthy'],
    ['never agreed, one up: not yet', undefined, ['up', undefined, undefined], 'majority', 'unhealthy'],
    ['no live node at all: keeps its state', 'healthy', [], 'majority', 'healthy'],
  ])('%s', (_what, previous, votes, quorum, expected) => {
    expect(agreedProbed(previous, votes, votes.length, quorum)).toBe(expected);
  });
});

describe('agreeHealth', () => {
  const hosts = [
    { name: 'mx1.example.com', pool: 'inbound', disabled: false },
    { name: 'mx2.example.com', pool: 'inbound', disabled: false },
    { name: 'mx3.example.com', pool: 'inbound', disabled: true },
  ];
  const vote = (v: 'up' | 'down'): Vote => ({ vote: v, since: 1, reason: '' });
  const votes = (table: Record<string, Record<string, 'up' | 'down'>>) =>
    new Map(Object.entries(table).map(([node, byHost]) => [node, new Map(Object.entries(byHost).map(([host, v]) => [host, vote(v)]))]));

  it('counts live members only: a departed node\'s votes do not withdraw anything', () => {
    const result = agreeHealth({
      hosts,
      live: new Set(['a', 'b']),
      votes: votes({ a: { 'mx1.example.com': 'up' }, b: { 'mx1.example.com': 'down' }, gone: { 'mx1.example.com': 'down' } }),
      operator: new Map(),
      previous: { 'mx1.example.com': { state: 'healthy', probed: 'healthy', since: 5 } },
      quorum: 'majority',
      now: 100,
    });
    expect(result['mx1.example.com']).toEqual({ state: 'healthy', probed: 'healthy', since: 5 });
  });

  it('operator drain and config disable override the votes; the probed state moves underneath', () => {
    const operator = new Map<string, OperatorAction>([['mx2.example.com', { drained: true, at: 50, by: 'b' }]]);
    const result = agreeHealth({
      hosts,
      live: new Set(['a', 'b', 'c']),
      votes: votes({ a: { 'mx2.example.com': 'down', 'mx3.example.com': 'up' }, b: { 'mx2.example.com': 'down', 'mx3.example.com': 'up' }, c: {} }),
      operator,
      previous: { 'mx2.example.com': { state: 'healthy', probed: 'healthy', since: 5 }, 'mx3.example.com': { state: 'disabled', probed: 'unhealthy', since: 7, withdrawnAt: 7 } },
      quorum: 'majority',
      now: 100,
    });
    expect(result['mx2.example.com']).toEqual({ state: 'draining', probed: 'unhealthy', since: 100, withdrawnAt: 50 });
    expect(result['mx3.example.com']).toEqual({ state: 'disabled', probed: 'healthy', since: 7, withdrawnAt: 7 });
    expect(result['mx1.example.com']).toEqual({ state: 'unhealthy', probed: 'unhealthy', since: 100 });
  });

  it('a run-time disable (disabled/ key) beats a drain and the votes, withdrawn from the key\'s time; gone, the drain shows again', () => {
    const input = {
      hosts,
      live: new Set(['a', 'b']),
      votes: votes({ a: { 'mx1.example.com': 'up' }, b: { 'mx1.example.com': 'up' } }),
      operator: new Map<string, OperatorAction>([['mx1.example.com', { drained: true, at: 40, by: 'a' }]]),
      previous: { 'mx1.example.com': { state: 'draining' as const, probed: 'healthy' as const, since: 40, withdrawnAt: 40 } },
      quorum: 'majority' as const,
      now: 100,
    };
    const off = agreeHealth({ ...input, disabled: new Map([['mx1.example.com', { disabled: true as const, at: 60, by: 'b' }]]) });
    expect(off['mx1.example.com']).toEqual({ state: 'disabled', probed: 'healthy', since: 100, withdrawnAt: 60 });
    const on = agreeHealth({ ...input, previous: off, now: 200 });
    expect(on['mx1.example.com']).toEqual({ state: 'draining', probed: 'healthy', since: 200, withdrawnAt: 40 });
  });
});

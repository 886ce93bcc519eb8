// PURE: this node's picture of the cluster -> the `cluster` section of /api/state.
import type { Config } from '../config/schema.ts';
import type { ApiCluster, ApiClusterHost } from '../http/types.ts';
import type { ClusterView } from './view.ts';
import type { AgreedVersion, QuorumSetting, Vote } from './types.ts';
import { thresholds } from './quorum.ts';

export interface ClusterFacts {
  config: Config;
  node: string;
  prefix: string;
  endpoints: string[];
  quorum: QuorumSetting;
  etcd: ApiCluster['etcd'];
  view: ClusterView;
  /** the agreed version being served (from etcd or the saved copy) */
  agreed: AgreedVersion | undefined;
  serving: ApiCluster['serving'];
  /** this node's own votes, as it holds them (also while etcd is unreachable) */
  mine: ReadonlyMap<string, Vote>;
  configDigest: string;
  writes: number;
}

export function buildApiCluster(facts: ClusterFacts): ApiCluster {
  const { view, node, config } = facts;
  const live = etcdLive(facts) ? view.members.size : 0;
  const need = thresholds(live, facts.quorum);
  const leader = etcdLive(facts) ? (view.leader() ?? null) : null;
  const nodes = [...new Set([node, ...view.members.keys()])].sort();
  const hosts: ApiClusterHost[] = config.pools.flatMap((pool) =>
    pool.hosts.map((host) => {
      const votes = nodes.flatMap((member) => {
        const vote = member === node ? facts.mine.get(host.name) : view.members.has(member) ? view.votes.get(member)?.get(host.name) : undefined;
        return vote ? [{ node: member, vote: vote.vote, since: vote.since, reason: vote.reason }] : [];
      });
      return { host: host.name, pool: pool.name, agreed: facts.agreed?.hosts[host.name]?.state ?? null, votes };
    }),
  );
  return {
    node,
    prefix: facts.prefix,
    etcd: facts.etcd,
    leader,
    isLeader: leader === node,
    quorum: { setting: facts.quorum, live, downToWithdraw: need.down, upToReturn: need.up },
    members: [...view.members.values()]
      .sort((a, b) => a.createRevision - b.createRevision)
      .map(({ info }) => ({ node: info.node, startedAt: info.startedAt, http: info.http, nameserver: info.nameserver, sameConfig: info.configDigest === facts.configDigest, self: info.node === node, leader: info.node === leader })),
    agreed: facts.agreed ? { serial: facts.agreed.serials[config.zone] ?? 0, by: facts.agreed.by, at: facts.agreed.at } : null,
    serving: facts.serving,
    hosts,
    findings: view.findings.map((f) => ({ key: f.key, message: f.message, at: f.at })),
    writes: facts.writes,
  };
}

function etcdLive(facts: ClusterFacts): boolean {
  return facts.etcd.state === 'live';
}

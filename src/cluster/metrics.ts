// The cluster's Prometheus metrics, on the daemon's own registry (src/http/metrics.ts). Label values
// are bounded: host and pool names come from the config, vote is up|down, kind is a fixed set.
import { Counter, Gauge, type Registry } from 'prom-client';

export type WriteKind = 'votes' | 'agreed' | 'operator' | 'join';

export class ClusterMetrics {
  readonly #members: Gauge;
  readonly #leader: Gauge;
  readonly #etcdUp: Gauge;
  readonly #votes: Gauge;
  readonly #writes: Counter;
  readonly #findings: Gauge;
  #total = 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#members = new Gauge({ name: 'mxpool_cluster_members', help: 'live members of the cluster (nodes holding a lease), as this node sees them', registers });
    this.#leader = new Gauge({ name: 'mxpool_cluster_leader', help: '1 when this node is the leader (decides the agreed zone, syncs providers), else 0', registers });
    this.#etcdUp = new Gauge({ name: 'mxpool_cluster_etcd_up', help: '1 while this node is joined and renewing its lease in etcd; 0 while etcd is unreachable (it serves the last agreed zone)', registers });
    this.#votes = new Gauge({ name: 'mxpool_cluster_votes', help: 'live nodes voting a host up or down', labelNames: ['host', 'pool', 'vote'], registers });
    this.#writes = new Counter({ name: 'mxpool_cluster_etcd_writes_total', help: 'etcd transactions this node wrote, by kind (none while nothing changes: renewals aside)', labelNames: ['kind'], registers });
    this.#findings = new Gauge({ name: 'mxpool_cluster_findings', help: 'keys in etcd this node did not believe (garbage, strangers, unknown hosts)', registers });
    for (const kind of ['votes', 'agreed', 'operator', 'join']) this.#writes.inc({ kind }, 0);
    this.#etcdUp.set(0);
    this.#leader.set(0);
  }

  /** writes made since start (for /api/state) */
  get writes(): number {
    return this.#total;
  }

  write(kind: WriteKind): void {
    this.#total++;
    this.#writes.inc({ kind });
  }

  update(state: { members: number; leader: boolean; etcdUp: boolean; findings: number }): void {
    this.#members.set(state.members);
    this.#leader.set(state.leader ? 1 : 0);
    this.#etcdUp.set(state.etcdUp ? 1 : 0);
    this.#findings.set(state.findings);
  }

  votes(host: string, pool: string, up: number, down: number): void {
    this.#votes.set({ host, pool, vote: 'up' }, up);
    this.#votes.set({ host, pool, vote: 'down' }, down);
  }
}

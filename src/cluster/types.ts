// The cluster's shared vocabulary: what each node writes into etcd and what the leader agrees on.
// Plain data; every time is epoch milliseconds. The key layout is in keys.ts.
import type { DesiredZone, HealthState } from '../model.ts';
import type { RetiredSender } from '../daemon/retired.ts';

/** One node's verdict on one host: its own rise/fall outcome from where it stands. */
export type VoteValue = 'up' | 'down';

export interface Vote {
  vote: VoteValue;
  /** when this node's verdict became what it is */
  since: number;
  /** the failure that made it `down` (the last probe's reason), empty when up */
  reason: string;
}

/** What a node says about itself under `members/<node>` (gone when its lease expires). */
export interface MemberInfo {
  node: string;
  startedAt: number;
  /** its HTTP API and nameserver, for the operator's eyes */
  http: string | null;
  nameserver: string[];
  /** digest of the config parts that decide the zone: nodes that differ are flagged */
  configDigest: string;
  /** the id of the policy its MTA-STS server serves (absent without auth.mtaSts) */
  stsId?: string;
}

/** The agreed state of one host, as the leader last wrote it. */
export interface AgreedHost {
  state: HealthState;
  /** what the votes say, underneath drain/disable (undrain returns to this) */
  probed: 'healthy' | 'unhealthy';
  since: number;
  withdrawnAt?: number;
}

/** An operator's run-time disable, under `disabled/<host>` (no lease); enable deletes it. */
export interface OperatorDisable {
  disabled: true;
  at: number;
  /** the node whose API took the request */
  by: string;
}

/** An operator's drain, under `operator/<host>` (no lease: it outlives every node). */
export interface OperatorAction {
  drained: true;
  at: number;
  /** the node whose API took the request */
  by: string;
}

/**
 * The agreed version, written by the leader in one transaction with the zones whose records
 * changed. `serials` maps every zone the cluster serves to its SOA serial (today one zone).
 */
export interface AgreedVersion {
  by: string;
  at: number;
  serials: Record<string, number>;
  hosts: Record<string, AgreedHost>;
  /** pool -> hosts published when it last had healthy hosts (whenAllDown: last-known-good) */
  lastKnownGood: Record<string, string[]>;
  /** addresses SPF keeps for their grace period (a relay removed from the config) */
  retired: RetiredSender[];
  /**
   * tenant zone -> the serial the leader gave its content (and that content's hash): every node
   * builds a tenant zone itself from the agreed hosts and stamps this serial on it when its own
   * content hash is the same (absent: no tenants, or a leader of an older version)
   */
  tenants?: Record<string, { serial: number; hash: string }>;
}

/** The agreed version with its zones, as every node serves it. */
export interface Agreed {
  version: AgreedVersion;
  zones: Record<string, DesiredZone>;
  /** etcd mod revision of the version key (the leader's next write compares it) */
  revision: number;
}

/** Something wrong in etcd that a peer wrote (or a stranger): logged once, shown in /api/state. */
export interface ClusterFinding {
  key: string;
  message: string;
  at: number;
}

export type QuorumSetting = 'majority' | number;

// The shared vocabulary: host health, record data and record sets, changes. Plain data only.
// Every stage (desired, plan, nameserver, providers, auditor) speaks these types.

// ---------------------------------------------------------------- health

export type HealthState = 'healthy' | 'unhealthy' | 'draining' | 'disabled';

/** What the health machine knows about one host at one moment. */
export interface HostHealth {
  /** host name (lower-case FQDN, no trailing dot) — unique across the config */
  host: string;
  pool: string;
  state: HealthState;
  /** epoch ms of the last state change */
  since: number;
  /** epoch ms when the operator drained / disabled it (for the SPF grace period and "safe to stop") */
  withdrawnAt?: number;
  /** `disabled` by an operator at run time (`mxpool disable`, POST /api/hosts/H/disable), not by the config */
  disabledBy?: 'operator';
}

/** One consistent view of every host's health: the input of `desired`. Keyed by host name. */
export type HealthSnapshot = ReadonlyMap<string, HostHealth>;

// ---------------------------------------------------------------- records

export type RecordType = 'SOA' | 'NS' | 'A' | 'AAAA' | 'CNAME' | 'MX' | 'TXT' | 'SRV' | 'CAA' | 'PTR' | 'TLSA';

/** Every record type mxpool models, in master-file order (SOA first): the one list to extend. */
export const RECORD_TYPES: readonly RecordType[] = ['SOA', 'NS', 'A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'PTR', 'TLSA'];

/** Record data, structured (not presentation text) so every target renders it its own way. */
export type RData =
  | { type: 'A'; address: string }
  | { type: 'AAAA'; address: string }
  | { type: 'CNAME'; target: string }
  | { type: 'NS'; target: string }
  | { type: 'PTR'; target: string }
  | { type: 'MX'; preference: number; exchange: string }
  /** TXT as its character-strings, each at most 255 octets (split by whoever builds it) */
  | { type: 'TXT'; strings: string[] }
  | { type: 'SRV'; priority: number; weight: number; port: number; target: string }
  | { type: 'CAA'; flags: number; tag: string; value: string }
  /** RFC 6698: certificate usage, selector, matching type, and the association data as lower-case hex */
  | { type: 'TLSA'; usage: number; selector: number; matchingType: number; data: string }
  | { type: 'SOA'; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

/** One value of a record set. `weight`/`host` are set on pool records (weighted round robin). */
export interface RecordValue {
  data: RData;
  /** relative weight 0..255 for weighted answers; absent = unweighted */
  weight?: number;
  /** the host this value stands for (Route 53 SetIdentifier, Cloudflare comment) */
  host?: string;
}

/** Why mxpool publishes a record set: decides ownership and which safety rules apply. */
export type RecordSource = 'zone' | 'pool' | 'host' | 'auth' | 'static';

/** All records of one name and type. Names are lower-case FQDNs without the trailing dot. */
export interface RecordSet {
  name: string;
  type: RecordType;
  ttl: number;
  values: RecordValue[];
  source: RecordSource;
  /** the pool that produced it (pool and host records) */
  pool?: string;
}

/** The whole desired state for the zone, as produced by `desired()` from config + health. */
export interface DesiredZone {
  zone: string;
  serial: number;
  sets: RecordSet[];
  /** things the operator should know: "pool inbound all down: publishing every host (whenAllDown: all)" */
  notes: string[];
  /** pool name -> the host names it publishes now (the daemon keeps it as last-known-good) */
  published?: Record<string, string[]>;
  /**
   * true when the SPF mxpool would write failed its own checks and no earlier SPF was at hand to
   * keep: `sets` hold no SPF, and cloud targets must keep theirs rather than delete it
   */
  spfWithheld?: boolean;
  /** transport security that shapes the zone now (src/auth/transport.ts); absent when nothing does */
  transport?: TransportSummary;
}

/** DANE mismatches and MX names held back by the MTA-STS safety rule, as of this zone. */
export interface TransportSummary {
  /** host -> the key it presents that no TLSA has matched for one TTL, and when it will be */
  mismatches: Record<string, { key: string; until?: number }>;
  /** MX host name -> when it may enter MX (epoch ms) */
  heldMx: Record<string, number>;
  /** MX host names held with no deadline yet -> the places that do not carry the policy's `_mta-sts` id */
  stsWaiting?: Record<string, string[]>;
  /** the next moment the transport records change by themselves (epoch ms) */
  nextChange?: number;
}

// ---------------------------------------------------------------- changes

export type Change =
  | { kind: 'create'; after: RecordSet }
  | { kind: 'update'; before: RecordSet; after: RecordSet }
  | { kind: 'delete'; before: RecordSet };

export function recordKey(set: Pick<RecordSet, 'name' | 'type'>): string {
  return `${set.name}/${set.type}`;
}

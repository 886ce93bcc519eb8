// The plan's vocabulary: what a target can do (capabilities as data), what it holds now (sets with
// their owner), and the plan itself — a value that is printed, logged and applied without recomputing.
import type { Change, RecordSet } from '../model.ts';

/** What a DNS target can do; the planner adapts the desired records to it instead of failing. */
export interface Capabilities {
  /** weighted answers (Route 53 weighted record sets); without them: one record per healthy host */
  weights: boolean;
  /** longest TXT character-string the API takes */
  txtStringMax: number;
  /** most changes one write call accepts */
  batchSize: number;
  /** lowest TTL the target accepts; lower desired TTLs are raised to it */
  minTtl: number;
  /**
   * each value is a record of its own (Cloudflare), so another party's TXT record can live at a
   * name where mxpool keeps its own; false: one record set per name and type (Route 53)
   */
  valuesCoexist: boolean;
  /** the record types the target can hold; absent: every type mxpool publishes */
  recordTypes?: ReadonlySet<string>;
}

/**
 * A record set as the target holds it now. `owner` is the owner id written by mxpool (Route 53
 * registry TXT record, Cloudflare comment); undefined: nobody claims it (made by hand or another tool).
 */
export interface CurrentSet extends RecordSet {
  owner?: string;
}

/** mxpool wants a record that someone else owns: it is left alone and reported. */
export interface Conflict {
  name: string;
  type: string;
  /** the other owner id, or undefined for a record nobody claims */
  owner?: string;
  message: string;
}

export interface PlanSummary {
  creates: number;
  updates: number;
  deletes: number;
  /** records (values) mxpool owns at the target now */
  ownedRecords: number;
  /** records (values) the changes would remove */
  deletedRecords: number;
  /** record sets at the target that mxpool does not own and leaves alone */
  foreignSets: number;
  conflicts: number;
}

export interface Plan {
  provider: string;
  changes: Change[];
  warnings: string[];
  conflicts: Conflict[];
  /** set when the safety stage refuses the plan: why, with the numbers */
  refused?: string;
  summary: PlanSummary;
}

export interface PlanInput {
  provider: string;
  capabilities: Capabilities;
  /** everything the target holds now (owned and foreign) */
  current: readonly CurrentSet[];
  /** the full desired record sets (all sources); the planner keeps what a cloud zone gets */
  desired: readonly RecordSet[];
  ownerId: string;
  /** refuse a plan deleting more than this share of owned records (when 10 or more are owned) */
  maxDeletePercent: number;
  /** name/type keys of pool records (pool hostname A/AAAA, MX names) -> pool name: never emptied */
  poolKeys: ReadonlyMap<string, string>;
  force: boolean;
  /**
   * the zone, when its desired SPF failed its checks and was withheld (`DesiredZone.spfWithheld`):
   * the target keeps the SPF it holds instead of having it deleted (src/plan/keep-spf.ts)
   */
  keepCurrentSpf?: string;
  /** with keepCurrentSpf: the auth.spf.sharedName record is mxpool's SPF too */
  sharedSpfName?: string;
}

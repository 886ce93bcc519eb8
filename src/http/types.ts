// The JSON shape of `GET /api/state`: the one contract between the daemon and whoever reads it
// (the status page, `mxpool drain`, scripts, tests). Plain data; every time is epoch milliseconds.
// Add fields freely; never rename or remove one without bumping `version`.
import type { HealthState } from '../model.ts';

export const API_STATE_VERSION = 1;

export interface ApiState {
  version: typeof API_STATE_VERSION;
  /** epoch ms when this document was built */
  generatedAt: number;
  zone: string;
  /** TTL of pool records (seconds); "safe to stop" is drainedAt + 2 x ttl */
  ttl: number;
  /** current SOA serial of the published zone (0 before the first zone is built) */
  serial: number;
  /** epoch ms when this `serve` started */
  startedAt: number;
  /** false until the first full probe round after start-up finished (answers come from saved state) */
  firstRoundDone: boolean;
  /** where the published health came from at start-up */
  startedFrom: 'state-file' | 'first-probe-round';
  /** how drain/undrain authenticate: "bearer" needs the token, "none" = no token configured (loopback only) */
  writeAuth: 'bearer' | 'none';
  pools: ApiPool[];
  /** every record set the daemon publishes (pool, SPF, DMARC, DKIM, static, SOA/NS) */
  records: ApiRecordSet[];
  /**
   * addresses no outbound host of the config holds any more (a relay removed or readdressed across
   * a restart) that SPF still authorises until their grace period of 2 x ttl ends
   */
  spfGrace: ApiSpfGrace[];
  /** operator notes from `desired` ("pool inbound all down: publishing every host") */
  notes: string[];
  /** one per configured provider; empty without `providers` */
  providers: ApiProviderSync[];
  /** the last audit of the desired zone; null before the first one ran */
  audit: ApiAudit | null;
  /** the built-in nameserver; null when `nameserver` is not configured */
  nameserver: ApiNameserver | null;
  /** the config in force and the outcome of reloads */
  config: ApiConfigStatus;
  /** several mxpool agreeing through etcd (docs/cluster.md); absent or null without `cluster:` */
  cluster?: ApiCluster | null;
  /**
   * every zone published: the top-level zone first, then the tenant (customer) zones in config
   * order; empty when asked for with `?zones=none` (the status page, which searches instead)
   */
  zones: ApiZone[];
  zoneCounts: ApiZoneCounts;
  /** MTA-STS and DANE as the daemon sees them; absent without auth.mtaSts and auth.dane */
  transport?: ApiTransport;
}

/** The config `serve` runs on, and its reloads (SIGHUP, `POST /api/reload`, `mxpool reload`). */
export interface ApiConfigStatus {
  /** the file serve re-reads on a reload; null when it has none (`mxpool demo`) */
  file: string | null;
  /** epoch ms when the config in force was read: the start-up or the last applied reload */
  loadedAt: number;
  /** reloads applied since start */
  reloads: number;
  /** reloads refused since start (mxpool_config_reload_failures_total) */
  reloadFailures: number;
  /** the last reload attempt; null before the first */
  lastReload: ApiReloadResult | null;
  /**
   * set while the file on disk holds mistakes serve refused: it still runs the config loaded at
   * `loadedAt`. Cleared by the next applied reload.
   */
  lastReloadError: ApiReloadError | null;
}

export interface ApiReloadError {
  /** epoch ms of the refused reload */
  at: number;
  trigger: ApiReloadTrigger;
  /** one line per mistake: FILE:LINE:COL: key.path: what was expected */
  errors: string[];
}

export type ApiReloadTrigger = 'SIGHUP' | 'api';

/**
 * `POST /api/reload` answers with this: 200 applied, 422 refused (the config has mistakes or
 * changes a key only a restart can), 503 unavailable (serve is starting or shutting down).
 */
export interface ApiReloadResult {
  outcome: 'applied' | 'refused' | 'unavailable';
  trigger: ApiReloadTrigger;
  /** epoch ms when the reload started */
  at: number;
  /** how long it took, ms (added hosts are probed once before anything is applied) */
  ms: number;
  file: string | null;
  /** applied: what changed, one line each; empty when the file holds the config already running */
  changes: string[];
  /** refused or unavailable: why, one line per mistake (FILE:LINE:COL: key.path: what was expected) */
  errors: string[];
  /** the SOA serial served before and after (equal when the records did not change) */
  previousSerial: number;
  serial: number;
}

/** `cluster` in /api/state: this node's view of the cluster. Host states elsewhere in the document are the agreed ones. */
export interface ApiCluster {
  node: string;
  prefix: string;
  etcd: {
    endpoints: string[];
    /** live: joined and renewing; unreachable: serving the last agreed zone, withdrawing nothing */
    state: 'connecting' | 'live' | 'unreachable' | 'stopped';
    /** epoch ms when `state` last changed */
    since: number;
    error: string | null;
  };
  /** the node that decides the agreed zone and syncs providers; null when none is known */
  leader: string | null;
  isLeader: boolean;
  quorum: { setting: 'majority' | number; live: number; downToWithdraw: number; upToReturn: number };
  members: ApiClusterMember[];
  /** the agreed version this node serves; null before the first one */
  agreed: { serial: number; by: string; at: number } | null;
  /** where the served zone came from: etcd, the copy in stateDir (etcd unreachable at start), or nothing agreed yet */
  serving: 'agreed' | 'saved-agreed' | 'no-agreement-yet';
  /** per host: every live node's vote (this node's own included) */
  hosts: ApiClusterHost[];
  /** things in etcd that were not believed (garbage, strangers, unknown hosts) */
  findings: { key: string; message: string; at: number }[];
  /** etcd writes this node made since start (votes, operator actions, agreed versions) */
  writes: number;
}

export interface ApiClusterMember {
  node: string;
  startedAt: number;
  http: string | null;
  nameserver: string[];
  /** false when its config differs from this node's in what decides the zone */
  sameConfig: boolean;
  self: boolean;
  leader: boolean;
}

export interface ApiClusterHost {
  host: string;
  pool: string;
  /** the agreed state (null before the first agreed version) */
  agreed: HealthState | null;
  votes: { node: string; vote: 'up' | 'down'; since: number; reason: string }[];
}

export interface ApiZone {
  zone: string;
  /** "zone": the top-level zone; "tenant": a customer zone (tenants:, tenantsFrom:) */
  kind: 'zone' | 'tenant';
  /** the SOA serial of the version published now (each zone has its own) */
  serial: number;
  /** the MX exchanges at the zone apex now, lowest preference first */
  mx: string[];
  /** operator notes for this zone ("no MX published: its pools publish no host") */
  notes: string[];
  /** the zone's provider syncs (the top-level `providers:`, or the tenant's own); empty without */
  providers: ApiProviderSync[];
}

export interface ApiZoneCounts {
  /** zones published, the top-level zone included */
  total: number;
  tenants: number;
  /** zones whose apex has no MX now */
  withoutMx: number;
  /** zones with operator notes */
  withNotes: number;
  /** zones whose last sync at some provider failed */
  syncFailing: number;
}

/** `GET /api/zones?q=TEXT&limit=N`: the zones whose name contains TEXT (case-insensitive). */
export interface ApiZoneSearch {
  query: string;
  /** zones published in all */
  total: number;
  /** zones matching the query */
  matched: number;
  /** the first `limit` matches, in the order of `ApiState.zones` */
  zones: ApiZone[];
}

export interface ApiTransport {
  /** the policy served, or null without auth.mtaSts */
  mtaSts: { mode: string; id: string; names: string[] } | null;
  /**
   * MX names waiting until the policy naming them has been served, and its `_mta-sts` id carried by
   * every place that publishes the zone, for one TTL; `until` is null while `waitingFor` names places
   * that do not carry that id yet
   */
  heldMx: { host: string; until: number | null; waitingFor: string[] }[];
  /** each place that publishes the zone (nameserver, providers): the `_mta-sts` id it carries */
  stsPlaces: ApiStsPlace[];
  /** per inbound host with auth.dane: the key it presents and the TLSA keys published for it */
  dane: ApiDaneHost[];
}

export interface ApiStsPlace {
  /** `nameserver`, `route53`, `cloudflare` */
  place: string;
  /** the `_mta-sts` id it carries (null: none yet) */
  id: string | null;
  /** since when it has carried that id (epoch ms) */
  since: number | null;
  /** why its last sync failed; null when it succeeded */
  error: string | null;
  /** since when its syncs have been failing */
  failingSince: number | null;
}

export interface ApiDaneHost {
  host: string;
  /** `<selector> <matching> <hex>` of the key presented last; null before a sighting */
  presented: string | null;
  /** the keys of its published TLSA RRset, same form */
  published: string[];
  /** set while no published TLSA has matched the presented key for one TTL */
  mismatch: { key: string; until: number | null } | null;
}

export interface ApiSpfGrace {
  address: string;
  /** the host that held it, when known */
  host: string | null;
  /** epoch ms when it leaves SPF */
  until: number;
}

export interface ApiPool {
  name: string;
  role: 'inbound' | 'outbound';
  /** the shared A/AAAA name, or null when each host publishes its own name */
  hostname: string | null;
  /** MX owner and preference (inbound pools) */
  mx: { name: string; preference: number } | null;
  whenAllDown: 'all' | 'last-known-good' | 'none';
  minHealthy: number;
  /** hosts whose state is `healthy` */
  healthyCount: number;
  /** names of the hosts this pool's A/AAAA/MX records name right now */
  publishedHosts: string[];
  /** the record sets produced by this pool as published: its shared A/AAAA, its MX, and each published host's own A/AAAA */
  published: ApiRecordSet[];
  hosts: ApiHost[];
}

export interface ApiHost {
  name: string;
  pool: string;
  address: string;
  port: number;
  weight: number;
  state: HealthState;
  /** epoch ms of the last state change */
  since: number;
  /** `disabled: true` in the config (an operator's long-term switch) */
  disabledInConfig: boolean;
  /** named by the pool's A/AAAA/MX records right now */
  inDns: boolean;
  /** its address is authorised by the published SPF record (outbound pools only; false for inbound) */
  inSpf: boolean;
  lastProbe: ApiProbe | null;
  /** the last (up to) 60 probes, oldest first */
  history: ApiProbePoint[];
  /** set while the host is draining */
  drain: ApiDrain | null;
  /** consecutive successes / failures counted toward rise / fall */
  streak: { ok: number; fail: number } | null;
  // The checks beside the probe. serve always sends these three; they are optional in the type only
  // so documents written before them (fixtures, saved pages) still type-check.
  /** the relay security checks (pools[].security); null when the host's pool has none */
  security?: ApiSecurity | null;
  /** what each DNS blocklist says about its address (outbound hosts, with `dnsbl`); [] otherwise */
  dnsbl?: ApiDnsbl[];
  /** why checks beside the probe hold the host out of DNS right now ("security: smtp-open-relay", "dnsbl: listed on ...") */
  withheld?: string[];
}

export interface ApiSecurityFinding {
  /** smtp-open-relay, smtp-relay-without-auth, smtp-auth-before-starttls, smtp-starttls-missing, smtp-auth-failed, smtp-auth-accepts-bad-credentials */
  id: string;
  message: string;
}

export interface ApiSecurity {
  /** report: findings are only shown; withdraw: they hold the host out of DNS */
  onFinding: 'report' | 'withdraw';
  /** the findings that stand (from the last check that ran to its end or found something) */
  findings: ApiSecurityFinding[];
  /** epoch ms when the last check started; null before the first */
  at: number | null;
  /** the last check could not finish (host down, timeout): why; null when it did */
  error: string | null;
  /** one line per check of the last run: what was sent, what came back */
  notes: string[];
}

export interface ApiDnsbl {
  zone: string;
  /** the last verdict (kept through lookup errors and timeouts) */
  listed: boolean;
  /** the last lookup: listed, clean, error (an answer that is not a verdict) or unknown (no answer) */
  status: 'listed' | 'clean' | 'error' | 'unknown';
  /** the A records of the last lookup */
  codes: string[];
  /** listed: the list's TXT reason; error/unknown: what went wrong */
  reason: string;
  /** epoch ms of the last lookup */
  at: number;
}

export interface ApiProbe {
  ok: boolean;
  /** the SMTP stage the probe reached or failed at: connect, greeting, ehlo, starttls, tls, quit, ... */
  stage: string;
  /** why it failed ("connection refused", "greeting 421 ...", "timeout in greeting"); null when ok */
  reason: string | null;
  /** total probe time in ms */
  ms: number;
  /** epoch ms when the probe finished */
  at: number;
  /** the TLS session when STARTTLS ran; null otherwise */
  tls: ApiTls | null;
}

export interface ApiTls {
  protocol: string | null;
  /** epoch ms of the certificate's notAfter */
  validTo: number | null;
  daysLeft: number | null;
}

export interface ApiProbePoint {
  at: number;
  ok: boolean;
  ms: number;
}

export interface ApiDrain {
  /** epoch ms when the operator drained the host */
  drainedAt: number;
  /** drainedAt + 2 x ttl: cached answers naming the host have expired by then */
  safeToStopAt: number;
}

export interface ApiRecordSet {
  name: string;
  type: string;
  ttl: number;
  /** presentation form, as in a master file: "10 mx1.example.com.", "192.0.2.10", "\"v=spf1 ...\"" */
  values: string[];
  source: 'zone' | 'pool' | 'host' | 'auth' | 'static';
  pool: string | null;
}

export interface ApiProviderSync {
  name: string;
  /** epoch ms of the last sync attempt; null before the first */
  at: number | null;
  ok: boolean | null;
  /** changes applied by the last sync */
  changes: number;
  error: string | null;
}

export interface ApiAuditFinding {
  id: string;
  severity: 'error' | 'warning' | 'info';
  record: string;
  message: string;
  rfc: string;
}

export interface ApiAudit {
  /** epoch ms when the audit ran */
  at: number;
  summary: { errors: number; warnings: number; infos: number };
  findings: ApiAuditFinding[];
}

export interface ApiNameserver {
  listen: string[];
  /** queries answered since start, all transports */
  queries: number;
}

/** `POST /api/hosts/{name}/drain`, `/undrain`, `/disable` and `/enable` answer with this. */
export interface ApiDrainResponse {
  host: string;
  state: HealthState;
  drain: ApiDrain | null;
  /** the SOA serial of the zone that no longer (or again) names the host */
  serial: number;
}

/** Every non-2xx answer of the API. */
export interface ApiError {
  error: string;
}

// Prometheus metrics for `serve`, on a Registry of their own (never prom-client's global one, so two
// daemons in one process — tests — do not share counters). Label values are bounded: host and pool
// names come from the config, failure reasons are reduced to a small set of classes.
import { Registry, Counter, Gauge, Histogram, collectDefaultMetrics } from 'prom-client';
import type { QueryCount } from '../dns/query-counts.ts';

export interface ProbeObservation {
  host: string;
  pool: string;
  ok: boolean;
  ms: number;
  /** the failure class (see `failureClass`); ignored when ok */
  reason?: string;
}

export class Metrics {
  readonly registry = new Registry();
  readonly #hostUp: Gauge;
  readonly #hostInDns: Gauge;
  readonly #probeDuration: Histogram;
  readonly #probeFailures: Counter;
  readonly #transitions: Counter;
  readonly #dnsQueries: Counter;
  #readDnsQueries: () => readonly QueryCount[] = () => [];
  readonly #zoneSerial: Gauge;
  readonly #zoneUpdates: Counter;
  readonly #syncs: Counter;
  readonly #auditFindings: Gauge;
  readonly #reloads: Counter;
  readonly #reloadFailures: Counter;
  readonly #reloadOk: Gauge;
  readonly #reloadAt: Gauge;
  readonly #dnsblListed: Gauge;
  readonly #dnsblLookups: Counter;
  readonly #securityFindings: Gauge;
  readonly #securityChecks: Counter;
  /** host -> the finding ids set to 1 (so a cleared one can be removed) */
  readonly #findingsShown = new Map<string, Set<string>>();

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#hostUp = new Gauge({ name: 'mxpool_host_up', help: '1 when the host is healthy (passes its SMTP probe per rise/fall), else 0', labelNames: ['host', 'pool'], registers });
    this.#hostInDns = new Gauge({ name: 'mxpool_host_in_dns', help: '1 when the pool records name the host right now', labelNames: ['host', 'pool'], registers });
    this.#probeDuration = new Histogram({
      name: 'mxpool_probe_duration_seconds',
      help: 'SMTP probe duration (connect to QUIT, or to the failure)',
      labelNames: ['host', 'pool', 'result'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#probeFailures = new Counter({ name: 'mxpool_probe_failures_total', help: 'failed SMTP probes by reason class', labelNames: ['host', 'pool', 'reason'], registers });
    this.#transitions = new Counter({ name: 'mxpool_health_transitions_total', help: 'host health state changes', labelNames: ['host', 'pool', 'to'], registers });
    const counted = new Map<string, number>();
    const read = () => this.#readDnsQueries();
    this.#dnsQueries = new Counter({
      name: 'mxpool_dns_queries_total',
      help: 'queries answered by the built-in nameserver',
      labelNames: ['type', 'rcode', 'transport'],
      registers,
      // the nameserver counts; each scrape adds what it answered since the last one
      collect() {
        for (const { type, rcode, transport, count } of read()) {
          const key = `${type}/${rcode}/${transport}`;
          const before = counted.get(key) ?? 0;
          if (count > before) this.inc({ type, rcode, transport }, count - before);
          counted.set(key, count);
        }
      },
    });
    this.#zoneSerial = new Gauge({ name: 'mxpool_zone_serial', help: 'SOA serial of the published zone', registers });
    this.#zoneUpdates = new Counter({ name: 'mxpool_zone_updates_total', help: 'zone swaps (each with a new serial)', registers });
    this.#syncs = new Counter({ name: 'mxpool_syncs_total', help: 'provider syncs by result (ok, error, unchanged)', labelNames: ['provider', 'result'], registers });
    this.#auditFindings = new Gauge({ name: 'mxpool_audit_findings', help: 'findings of the last audit by severity', labelNames: ['severity'], registers });
    for (const severity of ['error', 'warning', 'info']) this.#auditFindings.set({ severity }, 0);
    this.#reloads = new Counter({ name: 'mxpool_config_reloads_total', help: 'config reloads applied (SIGHUP, POST /api/reload)', registers });
    this.#reloadFailures = new Counter({ name: 'mxpool_config_reload_failures_total', help: 'config reloads refused (a mistake in the config, or a change that needs a restart); the old config keeps serving', registers });
    this.#reloadOk = new Gauge({ name: 'mxpool_config_last_reload_successful', help: '1 when the last reload attempt (or the start-up) applied its config, 0 when it was refused', registers });
    this.#reloadAt = new Gauge({ name: 'mxpool_config_last_reload_success_timestamp_seconds', help: 'when the config in force was loaded (start-up or the last applied reload), Unix seconds', registers });
    this.#reloadOk.set(1);
    this.#reloadAt.set(Math.floor(Date.now() / 1000));
    // checks beside the probe (src/security/, src/dnsbl/): label values come from the config and fixed id sets
    this.#dnsblListed = new Gauge({ name: 'mxpool_dnsbl_listed', help: '1 while the host\'s address is listed on the DNSBL zone (the last verdict, kept through lookup errors), else 0', labelNames: ['host', 'zone'], registers });
    this.#dnsblLookups = new Counter({ name: 'mxpool_dnsbl_lookups_total', help: 'DNSBL lookups by result: listed, clean, error (an answer that is not a verdict, e.g. 127.255.255.254), unknown (no answer)', labelNames: ['zone', 'result'], registers });
    this.#securityFindings = new Gauge({ name: 'mxpool_security_findings', help: '1 for each relay security finding that stands for the host (smtp-open-relay, ...)', labelNames: ['host', 'pool', 'finding'], registers });
    this.#securityChecks = new Counter({ name: 'mxpool_security_checks_total', help: 'relay security checks by result: clean, findings, error (could not finish)', labelNames: ['host', 'pool', 'result'], registers });
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'mxpool_' });
  }

  /** Declares every host so a scrape shows all of them (0) before their first probe. */
  declareHost(host: string, pool: string): void {
    this.#hostUp.set({ host, pool }, 0);
    this.#hostInDns.set({ host, pool }, 0);
    this.#probeFailures.inc({ host, pool, reason: 'refused' }, 0);
  }

  /**
   * A host left the config (a reload): its gauges go, so a removed host does not read as "down"
   * forever. Its counters and histograms stay as they were (history; Prometheus marks them stale).
   */
  forgetHost(host: string, pool: string): void {
    this.#hostUp.remove({ host, pool });
    this.#hostInDns.remove({ host, pool });
  }

  /** The outcome of a reload attempt; `loadedAt` is when the config now in force was read. */
  reload(ok: boolean, loadedAt: number): void {
    if (ok) this.#reloads.inc();
    else this.#reloadFailures.inc();
    this.#reloadOk.set(ok ? 1 : 0);
    this.#reloadAt.set(Math.floor(loadedAt / 1000));
  }

  probe(observation: ProbeObservation): void {
    const { host, pool } = observation;
    this.#probeDuration.observe({ host, pool, result: observation.ok ? 'ok' : 'fail' }, observation.ms / 1000);
    if (!observation.ok) this.#probeFailures.inc({ host, pool, reason: observation.reason ?? 'other' });
  }

  hostState(host: string, pool: string, healthy: boolean, inDns: boolean): void {
    this.#hostUp.set({ host, pool }, healthy ? 1 : 0);
    this.#hostInDns.set({ host, pool }, inDns ? 1 : 0);
  }

  transition(host: string, pool: string, to: string): void {
    this.#transitions.inc({ host, pool, to });
  }

  /** Where mxpool_dns_queries_total reads the nameserver's counts at each scrape. */
  dnsQueriesFrom(read: () => readonly QueryCount[]): void {
    this.#readDnsQueries = read;
  }

  zone(serial: number): void {
    this.#zoneSerial.set(serial);
    this.#zoneUpdates.inc();
  }

  sync(provider: string, result: 'ok' | 'error' | 'unchanged'): void {
    this.#syncs.inc({ provider, result });
  }

  audit(summary: { errors: number; warnings: number; infos: number }): void {
    this.#auditFindings.set({ severity: 'error' }, summary.errors);
    this.#auditFindings.set({ severity: 'warning' }, summary.warnings);
    this.#auditFindings.set({ severity: 'info' }, summary.infos);
  }

  /** Declares a host's DNSBL series (0) before its first lookup. */
  declareDnsbl(host: string, zone: string): void {
    this.#dnsblListed.set({ host, zone }, 0);
  }

  dnsblLookup(host: string, zone: string, result: string, listed: boolean): void {
    this.#dnsblLookups.inc({ zone, result });
    this.#dnsblListed.set({ host, zone }, listed ? 1 : 0);
  }

  securityCheck(host: string, pool: string, result: 'clean' | 'findings' | 'error', standing: readonly string[]): void {
    this.#securityChecks.inc({ host, pool, result });
    const shown = this.#findingsShown.get(host) ?? new Set<string>();
    for (const finding of shown) if (!standing.includes(finding)) this.#securityFindings.remove({ host, pool, finding });
    for (const finding of standing) this.#securityFindings.set({ host, pool, finding }, 1);
    this.#findingsShown.set(host, new Set(standing));
  }

  /** The host's pool has no security checks (any more): its finding series go. */
  securityCheckCleared(host: string, pool: string): void {
    for (const finding of this.#findingsShown.get(host) ?? []) this.#securityFindings.remove({ host, pool, finding });
    this.#findingsShown.delete(host);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * Reduces a probe failure to a label value from a fixed set, so a server that puts a timestamp in
 * its 421 greeting cannot grow the metric without bound.
 */
export function failureClass(stage: string | undefined, reason: string | undefined): string {
  const text = `${reason ?? ''}`.toLowerCase();
  if (/refused|econnrefused/.test(text)) return 'refused';
  if (/reset|econnreset|closed|epipe|hang ?up|eof/.test(text)) return 'closed';
  if (/timeout|timed out|silence|slow/.test(text)) return 'timeout';
  if (/unreachable|ehostunreach|enetunreach/.test(text)) return 'unreachable';
  if (/cert|expire|self.signed|verify|hostname|altname/.test(text)) return 'certificate';
  if (/tls|ssl|handshake/.test(text) || stage === 'tls' || stage === 'starttls') return 'tls';
  if (stage === 'greeting' || /greeting|banner/.test(text)) return 'greeting';
  if (stage === 'ehlo' || /ehlo|helo/.test(text)) return 'ehlo';
  if (/garbage|malformed|invalid|protocol/.test(text)) return 'protocol';
  if (stage === 'connect') return 'connect';
  if (stage === 'quit') return 'quit';
  return 'other';
}

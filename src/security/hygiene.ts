// Checks beside the probe, in one place: the relay security checks (monitor.ts) and the DNSBL
// lookups (src/dnsbl/). Their verdicts feed health like any probe result, with their own reasons:
// `withhold(host, key, reason)` holds a host out of DNS (security.onFinding: withdraw,
// dnsbl.action: withdraw) and lifts the hold on a clean check / delisting, after which the host
// needs `rise` passing probes. Used by `serve` (every interval) and `probe` (once).
import type { Config } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import { DnsblMonitor, type DnsblHost } from '../dnsbl/monitor.ts';
import { listingLine, type DnsblResult, type DnsblVerdict } from '../dnsbl/verdict.ts';
import type { Resolver } from '../audit/resolver.ts';
import { SecurityMonitor, type HostSecurity } from './monitor.ts';
import type { SecurityReport } from './check.ts';
import type { SecurityFinding } from './findings.ts';
import type { HygieneFacts } from '../audit/types.ts';

export interface HygieneOptions {
  config: Config;
  logger: Logger;
  env: Record<string, string | undefined>;
  /** applies a hold (reason) or lifts it (undefined): ProbeRunner.withhold */
  withhold: (host: string, key: 'security' | 'dnsbl', reason: string | undefined) => void;
  /** something a reader of the state should see changed (findings, listings) */
  onChange?: (host: string) => void;
  onSecurityReport?: (report: SecurityReport) => void;
  onDnsblLookup?: (host: DnsblHost, result: DnsblResult) => void;
  ca?: string | Buffer;
  /** tests: a resolver instead of dnsbl.resolver */
  resolver?: Resolver;
}

/** Everything the checks beside the probe say about one host, for the API, `probe` and the audit. */
export interface HostHygiene {
  /** null when the host's pool has no `security` */
  security: HostSecurity | null;
  /** one per zone (outbound hosts with `dnsbl` configured; empty before the first lookup) */
  dnsbl: DnsblVerdict[];
  /** the holds keeping it out of DNS right now */
  withheld: string[];
}

export class Hygiene {
  readonly security: SecurityMonitor | undefined;
  readonly dnsbl: DnsblMonitor | undefined;
  readonly #options: HygieneOptions;
  /** stopped (shutdown, or replaced by a reload): a check still in flight changes nothing */
  #stopped = false;

  constructor(options: HygieneOptions) {
    this.#options = options;
    const { config, logger } = options;
    const hasSecurity = config.pools.some((pool) => pool.security !== undefined);
    this.security = hasSecurity
      ? new SecurityMonitor({
          config,
          logger: logger.child({ component: 'security' }),
          env: options.env,
          ...(options.ca !== undefined ? { ca: options.ca } : {}),
          onChange: (host) => this.#securityChanged(host),
          ...(options.onSecurityReport ? { onReport: options.onSecurityReport } : {}),
        })
      : undefined;
    this.dnsbl = config.dnsbl
      ? new DnsblMonitor({
          config,
          logger: logger.child({ component: 'dnsbl' }),
          ...(options.resolver ? { resolver: options.resolver } : {}),
          onChange: (host) => this.#dnsblChanged(host),
          ...(options.onDnsblLookup ? { onLookup: options.onDnsblLookup } : {}),
        })
      : undefined;
  }

  get enabled(): boolean {
    return this.security !== undefined || this.dnsbl !== undefined;
  }

  /** Starts both schedules; resolves when the first round of each is done. */
  async start(): Promise<void> {
    await Promise.all([this.security?.start(), this.dnsbl?.start()]);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([this.security?.stop(), this.dnsbl?.stop()]);
  }

  /**
   * A reload replaced the config: take over what `previous` knew of the hosts that stay, and set
   * every host's holds from it (lifting the holds of checks the new config no longer has).
   */
  adopt(previous: Hygiene | undefined): void {
    if (previous?.security && this.security) this.security.adopt(previous.security);
    if (previous?.dnsbl && this.dnsbl) this.dnsbl.adopt(previous.dnsbl);
    this.applyHolds();
  }

  /** Sets each host's holds from what is known now (after a reload). */
  applyHolds(): void {
    for (const pool of this.#options.config.pools) {
      for (const host of pool.hosts) {
        this.#options.withhold(host.name, 'security', this.security?.withholding(host.name));
        this.#options.withhold(host.name, 'dnsbl', this.#dnsblHold(host.name));
      }
    }
  }

  /** One round of every check (what `probe` shows; `serve` runs it at start-up). */
  async runOnce(): Promise<void> {
    await Promise.all([this.security?.checkAll(), this.dnsbl?.runOnce()]);
  }

  of(host: string): HostHygiene {
    const withheld = [this.security?.withholding(host), this.#dnsblHold(host)].filter((reason): reason is string => reason !== undefined);
    return { security: this.security?.state(host) ?? null, dnsbl: this.dnsbl?.verdicts(host) ?? [], withheld };
  }

  /** Findings as `probe` and the API list them: the security findings, then one dnsbl-listed per list. */
  findings(host: string): SecurityFinding[] {
    const { security, dnsbl } = this.of(host);
    const listed = dnsbl.filter((v) => v.listed).map((v): SecurityFinding => ({ id: 'dnsbl-listed', message: listingLine(v) }));
    return [...(security?.findings ?? []), ...listed];
  }

  /** Everything found, for the audit's relay- and dnsbl- rules. */
  facts(): HygieneFacts {
    const security = (this.security?.hosts ?? []).flatMap((host) => {
      const state = this.security?.state(host);
      return state?.last ? [{ host, pool: state.last.pool, findings: state.findings }] : [];
    });
    const dnsbl = (this.dnsbl?.hosts ?? []).flatMap((entry) =>
      (this.dnsbl?.verdicts(entry.host) ?? []).map((v) => ({ host: entry.host, address: entry.address, zone: v.zone, listed: v.listed, status: v.last.status, codes: v.last.codes, reason: v.last.reason })),
    );
    return { security, dnsbl };
  }

  #dnsblHold(host: string): string | undefined {
    if (this.#options.config.dnsbl?.action !== 'withdraw') return undefined;
    const listing = this.dnsbl?.listing(host);
    return listing === undefined ? undefined : `dnsbl: ${listing}`;
  }

  #securityChanged(host: string): void {
    this.#changed(host, 'security', this.security?.withholding(host));
  }

  #dnsblChanged(host: string): void {
    this.#changed(host, 'dnsbl', this.#dnsblHold(host));
  }

  #changed(host: string, key: 'security' | 'dnsbl', reason: string | undefined): void {
    if (this.#stopped) return;
    try {
      this.#options.withhold(host, key, reason);
      this.#options.onChange?.(host);
    } catch (error) {
      // a listener's bug (or a host a reload just removed) must not stop the checks' schedule
      this.#options.logger.warn({ host, err: error instanceof Error ? error.message : String(error) }, 'could not apply a check result to the host');
    }
  }
}

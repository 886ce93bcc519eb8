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
    await Promise.all([this.security?.stop(), this.dnsbl?.stop()]);
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
    this.#options.withhold(host, 'security', this.security?.withholding(host));
    this.#options.onChange?.(host);
  }

  #dnsblChanged(host: string): void {
    this.#options.withhold(host, 'dnsbl', this.#dnsblHold(host));
    this.#options.onChange?.(host);
  }
}

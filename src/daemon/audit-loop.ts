// Runs the auditor on the published zone every `audit.interval`, and soon after the zone changes
// (SPF follows health), keeping the last report for /api/state and the metrics.
import type { Logger } from '../log.ts';
import type { DesiredZone, HealthSnapshot } from '../model.ts';
import type { ApiAudit } from '../http/types.ts';
import type { AuditService } from './services.ts';
import type { RetiredAddress } from '../auth/senders.ts';
import type { HygieneFacts } from '../audit/types.ts';
import type { CertDigests } from '../probe/types.ts';

export interface AuditLoopOptions {
  audit: AuditService;
  health: () => HealthSnapshot;
  /** addresses of removed relays still in their SPF grace period */
  retired?: () => readonly RetiredAddress[];
  /** relay security findings and DNSBL verdicts, when those checks are configured */
  hygiene?: () => HygieneFacts | undefined;
  /** the certificate digests each host presented last (the DANE and MTA-STS rules) */
  presented?: () => ReadonlyMap<string, CertDigests>;
  intervalMs: number;
  logger: Logger;
  onReport: (report: ApiAudit) => void;
  /** a zone change is audited after this quiet time (a burst of changes: one audit) */
  settleMs?: number;
}

export class AuditLoop {
  readonly #options: AuditLoopOptions;
  #intervalMs: number;
  #zone: DesiredZone | undefined;
  #last: ApiAudit | null = null;
  #interval: NodeJS.Timeout | undefined;
  #soon: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: AuditLoopOptions) {
    this.#options = options;
    this.#intervalMs = options.intervalMs;
  }

  get last(): ApiAudit | null {
    return this.#last;
  }

  start(zone: DesiredZone): void {
    this.#zone = zone;
    this.#arm();
    void this.runOnce();
  }

  /** `audit.interval` changed (a reload): the next audit is one new interval from now. */
  setInterval(ms: number): void {
    if (ms === this.#intervalMs) return;
    this.#intervalMs = ms;
    if (this.#interval !== undefined && !this.#stopped) this.#arm();
  }

  #arm(): void {
    clearInterval(this.#interval);
    this.#interval = setInterval(() => void this.runOnce(), this.#intervalMs);
    this.#interval.unref();
  }

  zoneChanged(zone: DesiredZone): void {
    this.#zone = zone;
    if (this.#interval === undefined || this.#stopped) return; // not started yet: start() audits it
    if (this.#soon) clearTimeout(this.#soon);
    this.#soon = setTimeout(() => void this.runOnce(), this.#options.settleMs ?? 2000);
    this.#soon.unref();
  }

  /** One audit of the current zone; never throws (a failed audit is logged, the last report stays). */
  async runOnce(): Promise<void> {
    if (this.#running || !this.#zone || this.#stopped) return this.#running;
    const zone = this.#zone;
    this.#running = (async () => {
      try {
        const report = await this.#options.audit(zone, this.#options.health(), this.#options.retired?.(), this.#options.hygiene?.(), this.#options.presented?.());
        this.#last = report;
        this.#options.onReport(report);
        this.#options.logger.info({ serial: zone.serial, ...report.summary }, 'audit done');
      } catch (error) {
        this.#options.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'audit failed; keeping the last report');
      } finally {
        this.#running = undefined;
      }
    })();
    return this.#running;
  }

  stop(): void {
    this.#stopped = true;
    clearInterval(this.#interval);
    clearTimeout(this.#soon);
  }
}

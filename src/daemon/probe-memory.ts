// What `serve` remembers of each host's recent probes, for /api/state and the status page:
// the last result in full and a short latency/ok history.
import type { ProbeResult } from '../probe/types.ts';
import { HISTORY_LENGTH, type HostProbes } from '../http/api.ts';
import type { ApiProbe } from '../http/types.ts';

export function toApiProbe(result: ProbeResult): ApiProbe {
  const validTo = result.tls?.validTo ? Date.parse(result.tls.validTo) : Number.NaN;
  return {
    ok: result.ok,
    stage: result.stage,
    reason: result.ok ? null : result.reason || 'failed',
    ms: Math.round(result.ms),
    at: Math.round(result.at + result.ms),
    tls: result.tls
      ? { protocol: result.tls.protocol, validTo: Number.isFinite(validTo) ? validTo : null, daysLeft: result.tls.daysLeft }
      : null,
  };
}

export class ProbeMemory {
  readonly #hosts = new Map<string, HostProbes>();

  record(host: string, result: ProbeResult, streak?: { ok: number; fail: number }): void {
    const probe = toApiProbe(result);
    const entry = this.#hosts.get(host) ?? { last: null, history: [], streak: null };
    entry.last = probe;
    entry.history.push({ at: probe.at, ok: probe.ok, ms: probe.ms });
    if (entry.history.length > HISTORY_LENGTH) entry.history.splice(0, entry.history.length - HISTORY_LENGTH);
    if (streak) entry.streak = streak;
    this.#hosts.set(host, entry);
  }

  /** The host left the config (a reload): its probes are no one's history any more. */
  forget(host: string): void {
    this.#hosts.delete(host);
  }

  /** hosts with at least one probe since start */
  probed(): number {
    return this.#hosts.size;
  }

  view(): ReadonlyMap<string, HostProbes> {
    return this.#hosts;
  }
}

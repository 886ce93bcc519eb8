// The served versions of every tenant zone, each with its own SOA serial: a zone gets a new version
// (and serial) only when its content changed — its config parts (a reload) or its MX (health).
// Versions are assembled from the cached parts and the shared MX values, never rebuilt from the
// config. Serials and content hashes survive restarts through the state file, so a restart with
// nothing changed keeps every serial (no NOTIFY storm, no 10,000 transfers).
import type { DesiredZone, RecordSet } from '../model.ts';
import type { Config } from '../config/schema.ts';
import { nextSerial } from '../dns/serial.ts';
import { buildTenantParts, type BuiltParts, type TenantParts } from './parts.ts';
import { MxValues, type SharedMx } from './mx.ts';

/** What the state file keeps per tenant zone. */
export interface ZoneMark {
  serial: number;
  /** content hash of the version that serial names */
  hash: string;
}

interface Version {
  zone: DesiredZone;
  hash: string;
}

export class TenantZones {
  readonly #config: Config;
  readonly #parts: TenantParts[];
  readonly #versions = new Map<string, Version>();
  /** serials known before this process published the zone (state file, or a previous config) */
  readonly #marks: Map<string, ZoneMark>;

  /**
   * `marks`: per zone, the serial and hash published before (state file); `previous`: the zones of
   * the config this one replaces — a zone whose content is unchanged keeps its version and serial
   * (give `previous` when the swap happens, so its versions are the ones served).
   */
  constructor(config: Config, options: { marks?: Readonly<Record<string, ZoneMark>>; previous?: TenantZones; parts?: TenantParts[] } = {}) {
    // `parts`: built beforehand; else built now, reusing the parts of `previous` for the tenants a
    // reload did not change (a reload builds them while the old config still serves)
    this.#config = config;
    this.#parts = options.parts ?? buildTenantParts(config, options.previous?.built());
    this.#marks = new Map(Object.entries(options.marks ?? {}));
    if (options.previous) this.carryOver(options.previous);
  }

  /**
   * Takes over the versions `previous` serves of the zones this config keeps: publish() then
   * replaces only the zones whose content differs. A reload builds the new zones while the old ones
   * still serve, and calls this again when it commits, so versions published meanwhile count.
   */
  carryOver(previous: TenantZones): void {
    const kept = new Set(this.#parts.map((parts) => parts.zone));
    for (const [zone, mark] of previous.#marks) if (kept.has(zone) && !this.#marks.has(zone)) this.#marks.set(zone, mark);
    for (const [zone, version] of previous.#versions) if (kept.has(zone)) this.#versions.set(zone, version);
  }

  /** The config and parts this set was built from (for the next reload to reuse). */
  built(): BuiltParts {
    return { config: this.#config, parts: this.#parts };
  }

  get size(): number {
    return this.#parts.length;
  }

  /**
   * New versions for the zones whose content differs from what is served, given the pools' published
   * hosts (DesiredZone.published of the top-level zone). Returns only the changed zones. `agreed`
   * (a cluster node): the serial the leader gave each zone's content — a zone whose content hash is
   * the leader's gets the leader's serial (also when this node serves that content under another),
   * so every node serves one serial per tenant zone; a zone the leader built otherwise (another
   * config) keeps a serial of this node's own.
   */
  publish(config: Config, published: Readonly<Record<string, readonly string[]>>, now: Date, agreed?: Readonly<Record<string, ZoneMark>>): DesiredZone[] {
    const mx = new MxValues(config, published);
    const changed: DesiredZone[] = [];
    for (const parts of this.#parts) {
      const shared = parts.mx.length > 0 ? mx.of(parts.mx) : undefined;
      const hash = `${parts.hash}.${shared?.hash ?? '-'}`;
      // `agreed` (a cluster): the serial the leader gave this very content, served as is
      const settled = agreed?.[parts.zone]?.hash === hash ? agreed[parts.zone]?.serial : undefined;
      const current = this.#versions.get(parts.zone);
      if (current?.hash === hash && (settled === undefined || settled === current.zone.serial)) continue;
      const mark = current ? { serial: current.zone.serial, hash: current.hash } : this.#marks.get(parts.zone);
      const serial = settled ?? (mark?.hash === hash ? mark.serial : nextSerial(mark?.serial ?? 0, now));
      const zone = assemble(parts, shared, serial);
      this.#versions.set(parts.zone, { zone, hash });
      changed.push(zone);
    }
    return changed;
  }

  /** The version served now of every zone published so far, in config order. */
  zones(): DesiredZone[] {
    return this.#parts.flatMap((parts) => this.#versions.get(parts.zone)?.zone ?? []);
  }

  get(zone: string): DesiredZone | undefined {
    return this.#versions.get(zone)?.zone;
  }

  /** The serial and hash served now of one zone. */
  markOf(zone: string): ZoneMark | undefined {
    const version = this.#versions.get(zone);
    return version ? { serial: version.zone.serial, hash: version.hash } : undefined;
  }

  /** Per zone: the serial and hash served now (what the state file keeps). */
  marks(): Record<string, ZoneMark> {
    const marks: Record<string, ZoneMark> = Object.fromEntries(this.#marks);
    for (const [zone, version] of this.#versions) marks[zone] = { serial: version.zone.serial, hash: version.hash };
    // zones no longer in the config are forgotten: a tenant added again later starts afresh
    const kept = new Set(this.#parts.map((parts) => parts.zone));
    for (const zone of Object.keys(marks)) if (!kept.has(zone)) delete marks[zone];
    return marks;
  }
}

/** One version of a tenant zone: SOA with its serial, the cached sets, the shared MX values. */
export function assemble(parts: TenantParts, mx: SharedMx | undefined, serial: number): DesiredZone {
  const sets: RecordSet[] = [];
  if (parts.soa) sets.push(withSerial(parts.soa, serial));
  for (let i = 0; i <= parts.sets.length; i++) {
    if (i === parts.mxAt && mx && mx.values.length > 0) sets.push({ name: parts.zone, type: 'MX', ttl: parts.ttl, values: mx.values, source: 'pool' });
    const set = parts.sets[i];
    if (set) sets.push(set);
  }
  const notes = mx && mx.values.length === 0 ? [...parts.notes, `${parts.zone}: no MX published: its pools publish no host (${parts.mx.map((entry) => entry.pool).join(', ')})`] : [...parts.notes];
  return { zone: parts.zone, serial, sets, notes };
}

function withSerial(soa: RecordSet, serial: number): RecordSet {
  return { ...soa, values: soa.values.map((value) => (value.data.type === 'SOA' ? { ...value, data: { ...value.data, serial } } : value)) };
}

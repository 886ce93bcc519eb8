// Messages between the nameserver process and its UDP worker processes (IPC, JSON).
import type { DesiredZone } from '../model.ts';

export type ToWorker =
  /** keys: the TSIG keys, secrets in base64, so signed UDP queries are answered (and signed) here too */
  | { kind: 'start'; listen: { host: string; port: number }[]; zones: DesiredZone[]; keys?: { name: string; algorithm: string; secret: string }[] }
  /** new versions of these zones (added when new); the zones in `removed` stop being served */
  | { kind: 'zones'; zones: DesiredZone[]; removed: string[] };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  /** per second: [type, rcode, count] of the queries answered */
  | { kind: 'stats'; counts: [string, string, number][] };

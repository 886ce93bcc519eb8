// Messages between the nameserver process and its UDP worker processes (IPC, JSON).
import type { DesiredZone } from '../model.ts';

export type ToWorker =
  | { kind: 'start'; listen: { host: string; port: number }[]; zone?: DesiredZone }
  | { kind: 'zone'; zone: DesiredZone };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'failed'; error: string }
  /** per second: [type, rcode, count] of the queries answered */
  | { kind: 'stats'; counts: [string, string, number][] };

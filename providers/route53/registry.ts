// Ownership on Route 53, as external-dns does it: next to every record set mxpool owns, a TXT
// "registry" record at _mxpool-<type>.<name> says who owns it. Records without one are not mxpool's.
import type { Rrset } from './client.ts';
import { fromFqdn, parseQuoted, toFqdn } from './values.ts';

const PREFIX = '_mxpool-';
export const REGISTRY_TTL = 300;

/** _mxpool-a.smtp.example.com: one label in front, so it always stays inside the zone. */
export function registryName(name: string, type: string): string {
  return `${PREFIX}${type.toLowerCase()}.${name}`;
}

export function registryValue(ownerId: string, type: string): string {
  return `"heritage=mxpool,mxpool/owner=${ownerId},mxpool/resource=${type.toLowerCase()}"`;
}

export function registryRrset(name: string, type: string, ownerId: string): Rrset {
  return { name: toFqdn(registryName(name, type)), type: 'TXT', ttl: REGISTRY_TTL, values: [registryValue(ownerId, type)] };
}

export interface RegistryEntry {
  /** the owned set's key, name/TYPE */
  key: string;
  owner: string;
}

/** Reads a registry rrset; undefined when the rrset is not one. */
export function readRegistry(rrset: Rrset): RegistryEntry | undefined {
  if (rrset.type !== 'TXT' || rrset.setIdentifier !== undefined) return undefined;
  const name = fromFqdn(rrset.name);
  const match = /^_mxpool-([a-z0-9]+)\.(.+)$/.exec(name);
  if (!match) return undefined;
  const text = parseQuoted(rrset.values[0] ?? '').join('');
  const fields = new Map(text.split(',').map((field) => field.split('=', 2) as [string, string]));
  const owner = fields.get('mxpool/owner');
  if (fields.get('heritage') !== 'mxpool' || !owner) return undefined;
  return { key: `${match[2]}/${(match[1] as string).toUpperCase()}`, owner };
}

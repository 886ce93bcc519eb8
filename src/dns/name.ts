// DNS names as mxpool keeps them: lower-case, no trailing dot, '' for the root.
// Presentation form (zone files, config values) may be relative to an origin or end in a dot.

/** Lower-case, without the trailing dot. */
export function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** Resolves a presentation-form name against an origin: `@` is the origin, a trailing dot is absolute. */
export function absoluteName(text: string, origin: string): string {
  if (text === '@') return normalizeName(origin);
  if (text.endsWith('.')) return normalizeName(text);
  const base = normalizeName(origin);
  return normalizeName(base === '' ? text : `${text}.${base}`);
}

/** True when `name` is `zone` itself or below it. Both normalized. */
export function inZone(name: string, zone: string): boolean {
  return zone === '' || name === zone || name.endsWith(`.${zone}`);
}

/** The name with a trailing dot, as master files and dig print it. */
export function fqdn(name: string): string {
  return `${name}.`;
}

/** Why a name cannot go on the wire, or undefined when it can (labels <= 63 octets, name <= 255). */
export function nameProblem(name: string): string | undefined {
  if (name === '') return undefined;
  const labels = name.split('.');
  let wireLength = 1;
  for (const label of labels) {
    const octets = Buffer.byteLength(label, 'utf8');
    if (octets === 0) return `empty label in "${name}"`;
    if (octets > 63) return `label "${label}" is ${octets} octets (at most 63)`;
    wireLength += octets + 1;
  }
  if (wireLength > 255) return `"${name}" is ${wireLength} octets on the wire (at most 255)`;
  return undefined;
}

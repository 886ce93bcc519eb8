// Route 53 value strings <-> RData. Route 53 speaks master-file presentation format per value:
// names end with a dot, TXT is quoted strings, and it escapes unusual octets as \NNN on output.
import type { RData, RecordType } from '../../src/model.ts';
import { parseTlsaText, tlsaText } from '../../src/dns/rdata.ts';

/** The types mxpool reads and writes at Route 53 (TLSA: supported by Route 53 since 2024). */
export const ROUTE53_TYPES: ReadonlySet<string> = new Set<RecordType>(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS', 'PTR', 'TLSA']);

export function toFqdn(name: string): string {
  return `${name}.`;
}

/** "\052.example.com." -> "*.example.com" */
export function fromFqdn(name: string): string {
  return unescapeOctal(name).replace(/\.$/, '').toLowerCase();
}


/**
 * A quoted character-string as Route 53 takes it: `"` and `\` escaped, every octet outside printable
 * ASCII (a control character, each octet of a UTF-8 character) as \NNN in octal — Route 53's
 * escapes are octal, where a master file's are decimal.
 */
function quote(text: string): string {
  let out = '"';
  for (const octet of Buffer.from(text, 'utf8')) {
    if (octet === 0x22 || octet === 0x5c) out += `\\${String.fromCharCode(octet)}`;
    else if (octet >= 0x20 && octet < 0x7f) out += String.fromCharCode(octet);
    else out += `\\${octet.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

/** The character-strings of a TXT value: "a" "b\"c" -> ['a', 'b"c'] */
export function parseQuoted(value: string): string[] {
  const strings: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"/g;
  for (let match = pattern.exec(value); match; match = pattern.exec(value)) {
    strings.push(unescapeOctal(match[1] as string));
  }
  return strings.length > 0 ? strings : [value];
}

/**
 * Route 53's escapes undone (a name, or a TXT string between its quotes): \NNN is one octet in
 * octal, \x is x; the octets are UTF-8.
 */
export function unescapeOctal(quoted: string): string {
  if (!quoted.includes('\\')) return quoted;
  const parts: Buffer[] = [];
  let literal = '';
  for (let i = 0; i < quoted.length; i++) {
    const char = quoted[i] as string;
    if (char !== '\\' || i + 1 >= quoted.length) {
      literal += char;
      continue;
    }
    const octal = /^[0-7]{3}/.exec(quoted.slice(i + 1, i + 4));
    if (!octal) {
      literal += quoted[++i] as string; // \" and \\: the character itself
      continue;
    }
    parts.push(Buffer.from(literal, 'utf8'), Buffer.of(parseInt(octal[0], 8) & 0xff));
    literal = '';
    i += 3;
  }
  parts.push(Buffer.from(literal, 'utf8'));
  return Buffer.concat(parts).toString('utf8');
}

export function formatValue(data: RData): string {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return data.address;
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return toFqdn(data.target);
    case 'MX':
      return `${data.preference} ${toFqdn(data.exchange)}`;
    case 'TXT':
      return data.strings.map(quote).join(' ');
    case 'SRV':
      return `${data.priority} ${data.weight} ${data.port} ${toFqdn(data.target)}`;
    case 'CAA':
      return `${data.flags} ${data.tag} ${quote(data.value)}`;
    case 'TLSA':
      return tlsaText(data);
    case 'SOA':
      return `${toFqdn(data.mname)} ${toFqdn(data.rname)} ${data.serial} ${data.refresh} ${data.retry} ${data.expire} ${data.minimum}`;
  }
}

/** Parses one value of a supported type; undefined for a value mxpool cannot read (left alone). */
export function parseValue(type: string, value: string): RData | undefined {
  const parts = value.trim().split(/\s+/);
  const num = (i: number) => Number(parts[i]);
  switch (type) {
    case 'A':
    case 'AAAA':
      return { type, address: value.trim().toLowerCase() };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { type, target: fromFqdn(value.trim()) };
    case 'MX':
      return parts.length === 2 ? { type, preference: num(0), exchange: fromFqdn(parts[1] as string) } : undefined;
    case 'TXT':
      return { type, strings: parseQuoted(value) };
    case 'SRV':
      return parts.length === 4 ? { type, priority: num(0), weight: num(1), port: num(2), target: fromFqdn(parts[3] as string) } : undefined;
    case 'CAA': {
      const match = /^(\d+)\s+(\S+)\s+(.*)$/.exec(value.trim());
      return match ? { type, flags: Number(match[1]), tag: match[2] as string, value: parseQuoted(match[3] as string).join('') } : undefined;
    }
    case 'TLSA':
      return parseTlsaText(value);
    default:
      return undefined;
  }
}

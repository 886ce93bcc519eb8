// Cloudflare record fields <-> RData, and the ownership comment. Cloudflare keeps one record per
// value: `content` holds the data (MX keeps its preference in `priority`, TXT its quoted strings).
import type { RData } from '../../src/model.ts';
import { parseTlsaText, tlsaText } from '../../src/dns/rdata.ts';
import type { CfRecordFields, CfTlsaData } from './client.ts';

/** The types mxpool reads and writes at Cloudflare (TLSA goes through the record's `data`). */
export const CLOUDFLARE_TYPES: ReadonlySet<string> = new Set(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS', 'PTR', 'TLSA']);
const COMMENT_MAX = 100;

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** TXT content: "a" "b" -> ['a', 'b']; hand-made unquoted content is one string. */
export function parseTxtContent(content: string): string[] {
  const trimmed = content.trim();
  if (!/^"/.test(trimmed)) return [content];
  const strings: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"/g;
  for (let match = pattern.exec(trimmed); match; match = pattern.exec(trimmed)) strings.push((match[1] as string).replace(/\\(.)/g, '$1'));
  return strings;
}

export function toFields(name: string, ttl: number, data: RData): Pick<CfRecordFields, 'name' | 'type' | 'ttl' | 'content' | 'priority' | 'data'> {
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return { name, type: data.type, ttl, content: data.address };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { name, type: data.type, ttl, content: data.target };
    case 'MX':
      return { name, type: 'MX', ttl, content: data.exchange, priority: data.preference };
    case 'TXT':
      return { name, type: 'TXT', ttl, content: data.strings.map(quote).join(' ') };
    case 'TLSA':
      // Cloudflare builds `content` from `data` for TLSA; the text is sent too, as it will read back
      return { name, type: 'TLSA', ttl, content: tlsaText(data), data: { usage: data.usage, selector: data.selector, matching_type: data.matchingType, certificate: data.data } };
    default:
      throw new Error(`cloudflare: mxpool does not write ${data.type} records`);
  }
}

export function parseRecord(record: { type: string; content: string; priority?: number; data?: CfTlsaData }): RData | undefined {
  const target = record.content.replace(/\.$/, '').toLowerCase();
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { type: record.type, address: record.content.toLowerCase() };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { type: record.type, target };
    case 'MX':
      return { type: 'MX', preference: record.priority ?? 0, exchange: target };
    case 'TXT':
      return { type: 'TXT', strings: parseTxtContent(record.content) };
    case 'TLSA': {
      const data = record.data;
      return data ? parseTlsaText(`${data.usage} ${data.selector} ${data.matching_type} ${data.certificate}`) : parseTlsaText(record.content);
    }
    default:
      return undefined;
  }
}

/** "heritage=mxpool,owner=<id>,host=<host>", cut to Cloudflare's 100-character comment limit. */
export function ownershipComment(ownerId: string, host: string | undefined): string {
  const comment = `heritage=mxpool,owner=${ownerId}${host ? `,host=${host}` : ''}`;
  return comment.slice(0, COMMENT_MAX);
}

export function readOwnership(comment: string | undefined): { owner: string; host?: string } | undefined {
  if (!comment?.startsWith('heritage=mxpool,')) return undefined;
  const fields = new Map(comment.split(',').map((field) => field.split('=', 2) as [string, string]));
  const owner = fields.get('owner');
  if (!owner) return undefined;
  const host = fields.get('host');
  return host ? { owner, host } : { owner };
}

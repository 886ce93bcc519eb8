// Parses and checks a DMARC record's tags and values (RFC 7489 6.3/6.4, RFC 9989 4.7).
import { parseTagList } from '../dkim/tag-list.ts';

export interface DmarcProblem {
  kind: 'syntax' | 'value' | 'uri';
  message: string;
}

export interface DmarcRecord {
  tags: Map<string, string>;
  problems: DmarcProblem[];
}

const POLICY = /^(none|quarantine|reject)$/i;
const CHECKS: Record<string, { test: (value: string) => boolean; expected: string }> = {
  p: { test: (v) => POLICY.test(v), expected: 'none, quarantine or reject' },
  sp: { test: (v) => POLICY.test(v), expected: 'none, quarantine or reject' },
  np: { test: (v) => POLICY.test(v), expected: 'none, quarantine or reject' },
  adkim: { test: (v) => /^[rs]$/i.test(v), expected: 'r or s' },
  aspf: { test: (v) => /^[rs]$/i.test(v), expected: 'r or s' },
  pct: { test: (v) => /^\d{1,3}$/.test(v) && Number(v) <= 100, expected: 'a whole number 0..100' },
  fo: { test: (v) => /^[01ds]([ \t]*:[ \t]*[01ds])*$/i.test(v), expected: 'colon-separated 0, 1, d, s' },
  rf: { test: (v) => /^[a-z0-9-]+([ \t]*:[ \t]*[a-z0-9-]+)*$/i.test(v), expected: 'report formats such as afrf' },
  ri: { test: (v) => /^\d{1,10}$/.test(v), expected: 'a whole number of seconds' },
  psd: { test: (v) => /^[ynu]$/i.test(v), expected: 'y, n or u' },
  t: { test: (v) => /^[yn]$/i.test(v), expected: 'y or n' },
};

/** mailto: URI with an optional !size suffix (RFC 7489 6.2); other schemes are not supported by receivers. */
const MAILTO = /^mailto:([^\s,;!@]+@([a-z0-9-]+(\.[a-z0-9-]+)+))(![0-9]+[kmgt]?)?$/i;

export function parseDmarc(text: string): DmarcRecord {
  const problems: DmarcProblem[] = [];
  const parsed = parseTagList(text);
  if (!parsed.ok) return { tags: new Map(), problems: [{ kind: 'syntax', message: parsed.message }] };
  const tags = new Map([...parsed.tags].map(([name, value]) => [name.toLowerCase(), value]));
  if (parsed.order[0] !== 'v' || parsed.tags.get('v') !== 'DMARC1') problems.push({ kind: 'syntax', message: 'the record must start with v=DMARC1' });
  if (!tags.has('p')) problems.push({ kind: 'syntax', message: 'p= (the policy) is missing; RFC 7489 receivers discard such a record unless rua is set' });
  for (const [name, value] of tags) {
    const check = CHECKS[name];
    if (check && !check.test(value)) problems.push({ kind: 'value', message: `${name}=${value}: expected ${check.expected}` });
  }
  for (const name of ['rua', 'ruf']) {
    for (const uri of reportUris(tags.get(name))) {
      if (!MAILTO.test(uri)) problems.push({ kind: 'uri', message: `${name}: "${uri}" is not a mailto: URI such as mailto:dmarc@example.com` });
    }
  }
  return { tags, problems };
}

export function reportUris(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').map((uri) => uri.trim()).filter((uri) => uri !== '');
}

/** The domain part of a mailto: report URI, lower-case, or undefined. */
export function reportDomain(uri: string): string | undefined {
  return MAILTO.exec(uri)?.[2]?.toLowerCase();
}

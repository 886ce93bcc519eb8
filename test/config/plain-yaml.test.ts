// PURE: the fast reader of plain tenant YAML (src/config/plain-yaml.ts) against the yaml package,
// as readDocument uses it: whenever the fast reader gives a value, readDocument finds no problem in
// the same text and gives an equal value — over a table of tricky cases and thousands of generated
// documents (seeded), near-misses included. And it does read what tenant files look like.
import { describe, expect, it } from 'vitest';
import { plainYaml } from '../../src/config/plain-yaml.ts';
import { readDocument } from '../../src/config/document.ts';
import { seededRandom } from '../../src/dns/rotation.ts';

/** The property: a value from the fast reader is readDocument's value, and readDocument has no problem. */
function agrees(text: string): 'read' | 'left' {
  const fast = plainYaml(text);
  if (fast === undefined) return 'left';
  const slow = readDocument(text);
  expect(slow.problems, `problems for:\n${text}`).toEqual([]);
  expect(slow.empty, text).toBe(false);
  expect(fast.value, `value of:\n${text}`).toEqual(slow.plain);
  return 'read';
}

const TENANT = `zone: customer1.example
mx: [{ pool: inbound, preference: 10 }]
dmarc: { p: reject, rua: ["mailto:dmarc@customer1.example"] }
dkim: [{ selector: s1, key: "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqqqqIDAQAB" }]
records:
  - { name: www.customer1.example, type: A, value: 192.0.2.80 }
  - { name: autoconfig.customer1.example, type: CNAME, value: autoconfig.isp.example. }
`;

describe('the fast reader of plain tenant YAML', () => {
  it('reads tenant files as the yaml package does', () => {
    for (const text of [
      TENANT,
      'zone: a.example\n',
      '# a comment\nzone: a.example # trailing\n\nmx:\n  - pool: inbound\n    preference: 10\n  - { pool: backup }\n',
      'zone: b.example\nrecords:\n- name: www.b.example\n  type: TXT\n  value: \'it\'\'s "quoted"\'\n- { name: b.example, type: CAA, value: \'0 issue "letsencrypt.org"\' }\n',
      'zone: c.example\nspf: { include: [_spf.isp.example], all: "-all" }\nsoa: { mname: ns1.c.example, rname: hostmaster.c.example, refresh: 0x1C20, retry: 0o1604, expire: 1e6, minimum: 300 }\n',
      'zone: d.example\nproviders:\n  route53:\n    hostedZoneId: Z123\n  cloudflare: { zoneId: abc }\nempty:\nnull: ~\n'.replace('null: ~\n', 'nothing: ~\n'),
      'zone: e.example\nvalues: [1, -2, +3, 1.5, .5, 1., -0, .inf, -.Inf, .nan, true, False, NULL, ~, yes, no, on, 010, 1_000, 0b1, 12:30, a:b, "\\x41\\u00e9\\n\\t\\"\\\\\\/"]\n',
    ]) {
      expect(agrees(text), text).toBe('read');
    }
    expect(plainYaml(TENANT)?.value).toMatchObject({ zone: 'customer1.example', mx: [{ pool: 'inbound', preference: 10 }], records: [{ type: 'A' }, { type: 'CNAME' }] });
  });

  it('leaves to the yaml package what it does not read exactly, and every mistake', () => {
    for (const text of [
      '', '# only a comment\n', '---\nzone: a\n', 'zone: a\n---\nzone: b\n', '%YAML 1.2\n---\nzone: a\n',
      'zone: a\nzone: b\n', // a key given twice
      'zone: a\nproviders: { cloudflare: { token: s3cr3t } }\n', // an inline secret
      'base: &b { pool: inbound }\nmx: [*b]\n', 'mx:\n  <<: { a: 1 }\n', 'zone: !!str a\n',
      'text: |\n  block\n', 'text: >\n  folded\n', 'text: two\n  lines\n', 'mx: [{ pool: inbound },\n  { pool: b }]\n',
      'text: "two\n  lines"\n', 'zone:\ta\n', 'zone: caf\u00e9\n', 'zone: a\r\n', '"zone": a\n', '? zone\n: a\n',
      '- a\n- b\n', 'just text\n', 'zone: a: b\n', 'zone: [a, b,]\n', 'zone: { a: }\n', 'zone: { a }\n', 'zone: "a"b\n',
      'zone: "\\q"\n', 'zone: [a #c]\n', 'zone: a\n  b: c\n', 'a:\n    b: 1\n  c: 2\n', '- - a\n', 'true: 1\n', '__proto__: 1\n',
      `${'a:\n'.repeat(1)}${'['.repeat(200)}\n`,
    ]) {
      expect(plainYaml(text), JSON.stringify(text)).toBeUndefined();
    }
  });

  it('agrees with the yaml package on generated documents and their near-misses', () => {
    const random = seededRandom(20261207);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const counts = { read: 0, left: 0 };
    for (let n = 0; n < 8000; n++) {
      let text = documentOf(random, pick);
      if (random() < 0.35) text = mutate(text, random, pick);
      counts[agrees(text)]++;
    }
    // both ways taken often: the property is tested on many read documents, not a handful
    expect(counts.read).toBeGreaterThan(1000);
    expect(counts.left).toBeGreaterThan(1000);
  });
});

const SAFE_KEYS = ['zone', 'mx', 'pool', 'preference', 'p', 'rua', 'key', 'records', 'name', 'type', 'value', 'a-b', 'x_y', 'Key', 'on', 'y'];
const TRICKY_KEYS = ['token', 'true', 'null', '1x', '"q"', '<<', 'a b', 'a:b'];
const SAFE = ['inbound', 'a b', 'mailto:x@y.example', 'v=DKIM1; k=rsa; p=abc', '192.0.2.1', '10', 'autoconfig.isp.example.', '5 mx.elsewhere.example.', '-all', "it's", 'a:b'];
const PLAIN = [
  'inbound', 'a b', 'mailto:x@y.example', 'v=DKIM1; k=rsa; p=abc', '192.0.2.1', '10', '-5', '+3', '0o17', '0o8', '0x1F', '0xG', '1.5', '.5', '1e3', '1.e3', '1.',
  '.inf', '-.Inf', '.nan', '.NaN', 'null', 'Null', '~', 'true', 'False', 'yes', 'no', '010', '0.0', '-0', '1_000', '0b101', '2001:db8::1', '12:30',
  'a#b', 'a #b', 'a:b', 'a: b', 'a:', '-all', '-', '- a', '-,', '?x', ':x', 'x,y', 'x]', '[x', '{x', "it's", '%x', '@x', '`x', '!x', '&x', '*x', '|', '>',
  '', '---', '...', 'autoconfig.isp.example.', '5 mx.elsewhere.example.', 'a  b', 'x}', 'x,', 'a:,', 'a::b',
];
const ESCAPED = ['\\n', '\\t', '\\"', '\\\\', '\\x41', '\\u00e9', '\\u00E9', '\\q', '\\U0001F600', '\\/', '\\x4', '\\ ', '\\0', '\\_'];

/** Keys for one mapping: mostly plain and each once; now and then a tricky one or a repeat. */
function keys(random: () => number, pick: <T>(items: readonly T[]) => T): () => string {
  const used: string[] = [];
  return () => {
    const roll = random();
    const key = roll < 0.04 ? pick(TRICKY_KEYS) : roll < 0.08 && used.length > 0 ? pick(used) : (SAFE_KEYS.find((k) => !used.includes(k) && random() < 0.3) ?? `k${used.length}`);
    used.push(key);
    return key;
  };
}

function scalarOf(random: () => number, pick: <T>(items: readonly T[]) => T, inFlow: boolean): string {
  const kind = random();
  if (kind < 0.45) return pick(SAFE);
  if (kind < 0.6) return pick(PLAIN);
  if (kind < 0.8) return `"${pick(PLAIN).replace(/["\\]/g, '')}${random() < 0.5 ? pick(ESCAPED) : ''}${pick(['', '', 'x', ' y', "'"])}"${inFlow ? '' : pick(['', '', '', '', ' # c', 'x', ' :'])}`;
  return `'${pick(PLAIN).replace(/'/g, "''")}${pick(['', "''", ' z', '"'])}'${inFlow ? '' : pick(['', '', ' # c', 'x'])}`;
}

function flowOf(random: () => number, pick: <T>(items: readonly T[]) => T, depth: number): string {
  if (depth > 2 || random() < 0.5) return scalarOf(random, pick, true);
  const space = pick(['', ' ', '  ']);
  const count = Math.floor(random() * 4);
  if (random() < 0.5) {
    const items = Array.from({ length: count }, () => flowOf(random, pick, depth + 1));
    return `[${space}${items.join(pick([', ', ',', ' , ']))}${random() < 0.05 ? ',' : ''}${space}]`;
  }
  const keyOf = keys(random, pick);
  const pairs = Array.from({ length: count }, () => `${keyOf()}${pick([': ', ':', ' : ', ':  '])}${flowOf(random, pick, depth + 1)}`);
  return `{${space}${pairs.join(pick([', ', ',']))}${space}}`;
}

function blockOf(random: () => number, pick: <T>(items: readonly T[]) => T, indent: number, depth: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  const count = 1 + Math.floor(random() * 4);
  const keyed = depth === 0 || random() < 0.6;
  const keyOf = keys(random, pick);
  for (let i = 0; i < count; i++) {
    if (random() < 0.1) lines.push(`${' '.repeat(Math.floor(random() * 6))}${pick(['# comment', '', '#x: y'])}`);
    const head = keyed ? `${pad}${keyOf()}:` : `${pad}-`;
    const shape = random();
    if (depth < 3 && shape < 0.3) {
      // a nested block: a mapping further in, or a sequence (at the key's column or further in)
      const step = pick([1, 2, 2, 2, 4]);
      const nested = random() < 0.5 ? blockOf(random, pick, indent + step, depth + 1) : sequenceOf(random, pick, keyed && random() < 0.5 ? indent : indent + step, depth + 1);
      lines.push(`${head}${pick(['', '', ' # c'])}`, ...nested);
    } else if (!keyed && depth < 3 && shape < 0.45) {
      // "- key: value" and its sibling keys
      const inner = blockOf(random, pick, indent + 2, depth + 1);
      lines.push(`${pad}- ${(inner[0] as string).trimStart()}`, ...inner.slice(1));
    } else {
      lines.push(`${head}${pick([' ', ' ', '  ', ''])}${random() < 0.5 ? flowOf(random, pick, 0) : scalarOf(random, pick, false)}${pick(['', '', ' # c', ' '])}`);
    }
  }
  return lines;
}

function sequenceOf(random: () => number, pick: <T>(items: readonly T[]) => T, indent: number, depth: number): string[] {
  const lines: string[] = [];
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    if (random() < 0.4 && depth < 3) {
      const inner = blockOf(random, pick, indent + 2, depth + 1);
      lines.push(`${' '.repeat(indent)}- ${(inner[0] as string).trimStart()}`, ...inner.slice(1));
    } else lines.push(`${' '.repeat(indent)}-${pick([' ', ' ', '  ', ''])}${random() < 0.5 ? flowOf(random, pick, 0) : scalarOf(random, pick, false)}`);
  }
  return lines;
}

function documentOf(random: () => number, pick: <T>(items: readonly T[]) => T): string {
  return `${blockOf(random, pick, 0, 0).join('\n')}\n`;
}

/** A near-miss: one character inserted, removed or replaced, or a line repeated or indented. */
function mutate(text: string, random: () => number, pick: <T>(items: readonly T[]) => T): string {
  const at = Math.floor(random() * text.length);
  const kind = random();
  if (kind < 0.3) return text.slice(0, at) + pick([' ', ':', '-', '#', '"', "'", ',', '[', ']', '{', '}', '\n', '\t', '&', '*', '!', '|']) + text.slice(at);
  if (kind < 0.5) return text.slice(0, at) + text.slice(at + 1);
  if (kind < 0.7) return text.slice(0, at) + pick([' ', ':', '\n', 'x']) + text.slice(at + 1);
  const lines = text.split('\n');
  const line = Math.floor(random() * lines.length);
  if (kind < 0.85) lines.splice(line, 0, lines[line] as string);
  else lines[line] = ` ${lines[line] as string}`;
  return lines.join('\n');
}

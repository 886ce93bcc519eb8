// PURE: the fast path's index (src/dns/fast-table.ts) against a Map as the model: names found
// case-insensitively, type and EDNS shape kept apart, deletions (backward shift) never losing an
// entry that sits further along a probe run, and a table that keeps learning and forgetting.
import { describe, expect, it } from 'vitest';
import { FastTable, foldOctet, hashQuestion, type FastKey } from '../../src/dns/fast-table.ts';
import { probeShape } from '../../src/dns/wire.ts';
import { seededRandom } from '../../src/dns/rotation.ts';
import { rawQuery } from './packets.ts';

interface Entry extends FastKey {
  label: string;
}

const NAME_AT = 12;

function nameLength(msg: Buffer): number {
  let at = NAME_AT;
  while (msg[at] !== 0) at += (msg[at] as number) + 1;
  return at + 1 - NAME_AT;
}

/** The name's octets at `nameStart`, folded to lower case (an entry's key). */
function foldedName(msg: Buffer, nameStart: number, length: number): Buffer {
  return Buffer.from(Array.from(msg.subarray(nameStart, nameStart + length), foldOctet));
}

function entryFor(name: string, qtype: number, shape: number): Entry {
  const msg = rawQuery(name, qtype);
  const length = nameLength(msg);
  return { name: foldedName(msg, NAME_AT, length), nameAt: 0, nameLength: length, qtype, shape, hash: hashQuestion(msg, NAME_AT, length, qtype, shape), label: `${name.toLowerCase()}/${qtype}/${shape}` };
}

function lookup(table: FastTable<Entry>, name: string, qtype: number, shape: number): Entry | undefined {
  const msg = rawQuery(name, qtype);
  const length = nameLength(msg);
  return table.find(msg, NAME_AT, length, qtype, shape, hashQuestion(msg, NAME_AT, length, qtype, shape));
}

describe('the fast table', () => {
  it('the fast path hashes a query in its label walk exactly as hashQuestion does (the key the table is built on)', () => {
    const names = ['example.com', 'MX1.Example.COM', 'a.b.c.d.e.f.example.org', 'x', '_dmarc.Customer42.EXAMPLE', `${'a'.repeat(63)}.${'B'.repeat(63)}.example`];
    for (const name of names) {
      for (const [qtype, edns] of [[1, undefined], [15, { payload: 1232 }], [16, { payload: 4096, do: true }]] as const) {
        const msg = rawQuery(name, qtype, edns ? { edns } : {});
        const probe = probeShape(msg);
        expect(probe).toBeDefined();
        const shape = edns ? (edns.do ? 2 : 1) : 0;
        expect(probe?.hash).toBe(hashQuestion(msg, NAME_AT, nameLength(msg), qtype, shape));
        expect(probe?.hash).toBe(hashQuestion(rawQuery(name.toLowerCase(), qtype), NAME_AT, nameLength(msg), qtype, shape));
      }
    }
  });

  it('finds a name whatever its case, and keeps type and EDNS shape apart', () => {
    const table = new FastTable<Entry>(16);
    const a = entryFor('Mail.Example.COM', 1, 0);
    table.add(a);
    table.add(entryFor('mail.example.com', 1, 1));
    table.add(entryFor('mail.example.com', 15, 0));
    expect(lookup(table, 'MAIL.example.com', 1, 0)).toBe(a);
    expect(lookup(table, 'mail.example.com', 1, 1)?.label).toBe('mail.example.com/1/1');
    expect(lookup(table, 'mail.example.com', 15, 0)?.label).toBe('mail.example.com/15/0');
    expect(lookup(table, 'mail.example.com', 16, 0)).toBeUndefined();
    expect(lookup(table, 'mail.example.org', 1, 0)).toBeUndefined();
    expect(lookup(table, 'mailexample.com', 1, 0)).toBeUndefined(); // same letters, other labels
    expect(a.name.toString('latin1')).toBe('\u0004mail\u0007example\u0003com\u0000');
    expect(table.delete(a)).toBe(true);
    expect(table.delete(a)).toBe(false);
    expect(lookup(table, 'mail.example.com', 1, 0)).toBeUndefined();
    expect(table.size).toBe(2);
  });

  it('agrees with a Map through 20,000 random adds and deletes in a crowded table', () => {
    const random = seededRandom(20261207);
    const capacity = 500; // 1,024 slots, kept about half full: long probe runs, many shifts
    const table = new FastTable<Entry>(capacity);
    const model = new Map<string, Entry>();
    for (let step = 0; step < 20_000; step++) {
      const name = `n${Math.floor(random() * 800)}.example`;
      const qtype = random() < 0.5 ? 1 : 28;
      const key = `${name}/${qtype}/0`;
      const known = model.get(key);
      if (known && random() < 0.6) {
        expect(table.delete(known)).toBe(true);
        model.delete(key);
      } else if (!known && model.size < capacity) {
        const entry = entryFor(name.toUpperCase(), qtype, 0);
        table.add(entry);
        model.set(key, entry);
      }
      if (step % 500 === 0) {
        expect(table.size).toBe(model.size);
        for (const [label, entry] of model) expect(lookup(table, label.split('/')[0] as string, entry.qtype, 0), label).toBe(entry);
      }
    }
    table.clear();
    expect(table.size).toBe(0);
    expect(lookup(table, [...model.keys()][0]?.split('/')[0] ?? 'x', 1, 0)).toBeUndefined();
  });

  it('holds its capacity, and refuses more (the fast path starts over before that)', () => {
    const table = new FastTable<Entry>(8);
    for (let i = 0; i < 8; i++) table.add(entryFor(`h${i}.example`, 1, 0));
    for (let i = 0; i < 8; i++) expect(lookup(table, `H${i}.example`, 1, 0)?.label).toBe(`h${i}.example/1/0`);
    expect(() => table.add(entryFor('one-more.example', 1, 0))).toThrow(/full/);
  });
});

// Reading transfer answers back in tests: each answer record as one line "name ttl TYPE data", and a
// secondary in miniature that applies an IXFR (RFC 1995 4) to the zone it holds.
import dns2 from 'dns2';
import { typeName } from '../../../src/dns/constants.ts';
import type { RData } from '../../../src/model.ts';
import type { JournalRecord } from '../../../src/dns/journal/diff.ts';

interface Parsed { answers: Record<string, unknown>[]; questions: unknown[]; header: Record<string, number> }
const { Packet } = dns2 as unknown as { Packet: { parse(buf: Buffer): Parsed } };

export function parse(message: Buffer): Parsed {
  return Packet.parse(message);
}

function dataOf(a: Record<string, unknown>): string {
  const value = a.address ?? a.exchange ?? a.ns ?? a.domain ?? a.target ?? (Array.isArray(a.data) ? (a.data as string[]).join('') : undefined) ?? a.serial ?? a.value;
  return String(value);
}

/** The answer records of a stream of messages, in order. */
export function answerLines(messages: Buffer[]): string[] {
  return messages.flatMap((m) => parse(m).answers.map((a) => `${String(a.name).toLowerCase()} ${String(a.ttl)} ${typeName(a.type as number)} ${dataOf(a)}`));
}

/** The same line for a record of the model. */
export function lineOf(record: { name: string; ttl: number; data: RData }): string {
  const d = record.data;
  const data = d.type === 'A' || d.type === 'AAAA' ? d.address : d.type === 'MX' ? d.exchange : d.type === 'NS' || d.type === 'CNAME' || d.type === 'PTR' || d.type === 'SRV' ? d.target : d.type === 'TXT' ? d.strings.join('') : d.type === 'SOA' ? String(d.serial) : d.type === 'TLSA' ? d.data : d.value;
  return `${record.name} ${record.ttl} ${d.type} ${data}`;
}

export const journalLine = (record: JournalRecord) => lineOf(record);

/**
 * What a secondary holding `zone` (AXFR lines, SOA first and last) ends up with after `ixfr`.
 * Throws when the answer is not a well-formed IXFR or deletes a record the secondary lacks — as
 * Knot does, which then falls back to AXFR.
 */
export function applyIxfr(zone: string[], ixfr: string[]): string[] {
  const soa = (line: string | undefined) => line !== undefined && line.split(' ')[2] === 'SOA';
  if (!soa(ixfr[0]) || !soa(ixfr[ixfr.length - 1])) throw new Error('an IXFR starts and ends with the SOA');
  if (ixfr.length > 2 && !soa(ixfr[1])) return ixfr; // AXFR form: the whole zone
  const held = new Set(zone.slice(1, -1));
  let i = 1;
  let newSoa = zone[0] as string;
  while (i < ixfr.length - 1) {
    i++; // old SOA
    while (i < ixfr.length - 1 && !soa(ixfr[i])) {
      if (!held.delete(ixfr[i] as string)) throw new Error(`deletes ${ixfr[i]}, which the secondary does not hold`);
      i++;
    }
    newSoa = ixfr[i] as string;
    i++;
    while (i < ixfr.length - 1 && !soa(ixfr[i])) {
      if (held.has(ixfr[i] as string)) throw new Error(`adds ${ixfr[i]}, which the secondary already holds`);
      held.add(ixfr[i] as string);
      i++;
    }
  }
  return [newSoa, ...[...held], newSoa];
}

export const sortedBody = (lines: string[]) => [lines[0], ...lines.slice(1, -1).sort(), lines[lines.length - 1]];

// DNS numbers (RFC 1035, 2671/6891, 3596, 2782, 8659, 1995, 5936, 4034, 6698) used by the wire code.
import type { RecordType } from '../model.ts';

export const TYPE = {
  A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, DS: 43,
  RRSIG: 46, DNSKEY: 48, TLSA: 52, TKEY: 249, TSIG: 250, IXFR: 251, AXFR: 252, MAILB: 253, MAILA: 254, ANY: 255, CAA: 257,
} as const;

export const CLASS = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

export const OPCODE = { QUERY: 0, NOTIFY: 4 } as const;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, NOTAUTH: 9, BADVERS: 16 } as const;

const RCODE_NAMES = new Map<number, string>(Object.entries(RCODE).map(([name, code]) => [code, name]));
const TYPE_NAMES = new Map<number, string>(Object.entries(TYPE).map(([name, code]) => [code, name]));

export function rcodeName(code: number): string {
  return RCODE_NAMES.get(code) ?? `RCODE${code}`;
}

/** Mnemonic for metrics and logs: A, MX, ... or TYPE65 (RFC 3597 form) for the rest. */
export function typeName(code: number): string {
  return TYPE_NAMES.get(code) ?? `TYPE${code}`;
}

export function typeCode(type: RecordType): number {
  return TYPE[type];
}

/** What a UDP answer may use: 512 without EDNS (RFC 1035), else the client's size capped at 1232 (DNS flag day 2020). */
export const MAX_UDP_PAYLOAD = 1232;
export const MIN_UDP_PAYLOAD = 512;
export const MAX_TCP_MESSAGE = 65535;

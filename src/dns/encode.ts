// Response -> wire. Over UDP an answer larger than the limit first loses its additional section
// (RFC 2181 9: that does not set TC); if the rest still does not fit, the reply is the header, the
// question and the OPT with TC set (RFC 1035 4.2.1, RFC 6891 7), and the client retries over TCP.
import type { Response } from './answer.ts';
import { TYPE } from './constants.ts';
import { Writer, type WireRecord } from './writer.ts';

export function encodeResponse(response: Response, limit: number): Buffer {
  return encodeMarked(response, limit).bytes;
}

/**
 * The encoding and, when the response has a rotating run (answer.ts) and all of it was written,
 * where each record of the run starts and where the run ends (`marks`, one more than its records).
 */
export function encodeMarked(response: Response, limit: number): { bytes: Buffer; marks: number[] } {
  const marks: number[] = [];
  const bytes = encodeWithin(response, limit, marks);
  return { bytes, marks: marks.length === (response.rotating ? response.answer.length - response.rotating.start + 1 : 0) ? marks : [] };
}

function encodeWithin(response: Response, limit: number, marks: number[]): Buffer {
  const full = write(response, response.answer, response.authority, response.additional, false, marks);
  if (full.length <= limit) return full;
  marks.length = 0;
  const lean = write(response, response.answer, response.authority, [], false);
  if (lean.length <= limit) return lean;
  return write(response, [], [], [], true);
}

function write(response: Response, answer: WireRecord[], authority: WireRecord[], additional: WireRecord[], truncated: boolean, marks?: number[]): Buffer {
  const w = new Writer(512);
  w.u16(response.id);
  const rcodeLow = response.rcode & 0xf;
  const flags = 0x8000 | ((response.opcode & 0xf) << 11) | (response.aa ? 0x0400 : 0) | (truncated ? 0x0200 : 0) | (response.rd ? 0x0100 : 0) | (response.cd ? 0x0010 : 0) | rcodeLow;
  w.u16(flags);
  w.u16(response.question ? 1 : 0);
  w.u16(answer.length);
  w.u16(authority.length);
  w.u16(additional.length + (response.edns ? 1 : 0));
  if (response.question) {
    w.name(response.question.labels);
    w.u16(response.question.type);
    w.u16(response.question.class);
  }
  const run = answer === response.answer ? response.rotating : undefined;
  for (let i = 0; i < answer.length; i++) {
    if (run && i === run.start) w.freezePointers(true); // the run's names point only at what precedes it
    if (run && i >= run.start) marks?.push(w.length);
    w.record(answer[i] as WireRecord);
  }
  if (run) {
    marks?.push(w.length);
    w.freezePointers(false);
  }
  for (const record of authority) w.record(record);
  for (const record of additional) w.record(record);
  if (response.edns) writeOpt(w, response.edns.payload, response.rcode >> 4, response.edns.do);
  return w.result();
}

/** The OPT pseudo-record (RFC 6891 6.1.2): root owner, payload in CLASS, extended rcode/version/DO in TTL. */
export function writeOpt(w: Writer, payload: number, extendedRcode: number, dnssecOk: boolean): void {
  w.u8(0);
  w.u16(TYPE.OPT);
  w.u16(payload);
  w.u8(extendedRcode);
  w.u8(0); // version 0
  w.u16(dnssecOk ? 0x8000 : 0);
  w.u16(0);
}

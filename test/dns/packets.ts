// Raw DNS queries for tests that need exact bytes (case, flags, EDNS shape).
import { TYPE } from '../../src/dns/constants.ts';

/** A query as a resolver sends it: header, one question, optional OPT. */
export function rawQuery(name: string, type: number, options: { id?: number; edns?: { payload: number; do?: boolean; version?: number }; flags?: number } = {}): Buffer {
  const labels = name === '' ? [] : name.split('.');
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(options.id ?? 0x1234, 0);
  header.writeUInt16BE(options.flags ?? 0x0100, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(options.edns ? 1 : 0, 10);
  parts.push(header);
  for (const label of labels) parts.push(Buffer.from([label.length]), Buffer.from(label, 'latin1'));
  parts.push(Buffer.from([0, type >> 8, type & 0xff, 0, 1]));
  if (options.edns) {
    const opt = Buffer.alloc(11);
    opt.writeUInt16BE(TYPE.OPT, 1);
    opt.writeUInt16BE(options.edns.payload, 3);
    opt[6] = options.edns.version ?? 0;
    opt.writeUInt16BE(options.edns.do ? 0x8000 : 0, 7);
    parts.push(opt);
  }
  return Buffer.concat(parts);
}

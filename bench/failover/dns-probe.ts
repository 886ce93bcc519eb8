// A minimal DNS client for the failover benchmark: one A query over UDP, the addresses in the
// answer. Raw node:dgram (no resolver cache, no retries) so every 50 ms sample is a fresh answer.
import { createSocket } from 'node:dgram';

function encodeQuery(id: number, name: string): Buffer {
  const labels = name.split('.').filter(Boolean);
  const question = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0, 0, 1, 0, 1])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0000, 2); // standard query, no recursion wanted
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, question]);
}

function skipName(buf: Buffer, offset: number): number {
  for (;;) {
    const len = buf[offset] as number;
    if (len === 0) return offset + 1;
    if ((len & 0xc0) === 0xc0) return offset + 2;
    offset += len + 1;
  }
}

function decodeAddresses(buf: Buffer): string[] {
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let offset = 12;
  for (let i = 0; i < qd; i++) offset = skipName(buf, offset) + 4;
  const addresses: string[] = [];
  for (let i = 0; i < an; i++) {
    offset = skipName(buf, offset);
    const type = buf.readUInt16BE(offset);
    const length = buf.readUInt16BE(offset + 8);
    offset += 10;
    if (type === 1 && length === 4) addresses.push([...buf.subarray(offset, offset + 4)].join('.'));
    offset += length;
  }
  return addresses.sort();
}

/** Queries `name` A at server:port; resolves with the addresses, or null on timeout/error. */
export function queryA(server: string, port: number, name: string, timeoutMs = 500): Promise<string[] | null> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const id = Math.floor(Math.random() * 0xffff);
    const done = (value: string[] | null) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => done(null), timeoutMs);
    socket.on('error', () => done(null));
    socket.on('message', (message) => {
      if (message.length < 12 || message.readUInt16BE(0) !== id) return;
      try {
        done(decodeAddresses(message));
      } catch {
        done(null);
      }
    });
    socket.send(encodeQuery(id, name), port, server);
  });
}

// `npx node bench/dns/dns2-rfc.ts`: what an authoritative server must do that a plain dns2 server
// (serve-dns2.ts, dns2's own UDP server written as its README shows) does not, checked the same way
// against mxpool's nameserver (serve-mxpool.ts). Raw UDP packets, one check each, 500 ms for a reply.
// Prints one row per check: the RFC, the expected behaviour, what mxpool and dns2 did.
// Loopback only: 127.12.2.40 mxpool, 127.12.2.41 dns2. About 10 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.ts';
import { allHealthy, desired } from '../../src/desired.ts';
import { removeTempDir, tempDir } from '../../test/helpers/temp-dir.ts';

const PORT = 5392;
const SERVERS = { mxpool: '127.12.2.40', dns2: '127.12.2.41' } as const;
const BIG = Array.from({ length: 6 }, (_, i) => `${String(i)}${'x'.repeat(200)}`);

const config = parseConfig(`
zone: example.com
pools:
  - name: inbound
    role: inbound
    mx: { name: example.com, preference: 10 }
    hosts:
      - { name: mx1.example.com, address: 192.0.2.11 }
auth:
  spf: { all: "-all" }
nameserver:
  listen: ["${SERVERS.mxpool}:${PORT}"]
  ns: [ns1.example.com]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
records:
  - { name: ns1.example.com, type: A, value: 192.0.2.53 }
  - { name: big.example.com, type: TXT, value: "${BIG.join('')}" }
`);

// ------------------------------------------------------------------ packets

function name(text: string): Buffer {
  return Buffer.concat([...text.split('.').filter(Boolean).map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)])), Buffer.from([0])]);
}

interface Query {
  qname?: string;
  qtype?: number;
  /** questions in the header count (the packet holds min(qdcount, 1) question) */
  qdcount?: number;
  flags?: number;
  /** EDNS: [udp size, version] */
  edns?: [number, number];
  /** raw bytes appended after the header instead of a question */
  raw?: Buffer;
}

function packet(q: Query): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(0x4d58, 0);
  header.writeUInt16BE(q.flags ?? 0, 2);
  header.writeUInt16BE(q.qdcount ?? 1, 4);
  header.writeUInt16BE(q.edns ? 1 : 0, 10);
  const question = q.raw ?? ((q.qdcount ?? 1) === 0 ? Buffer.alloc(0) : Buffer.concat([name(q.qname ?? 'example.com'), Buffer.from([0, q.qtype ?? 6, 0, 1])]));
  const second = (q.qdcount ?? 1) > 1 ? question : Buffer.alloc(0);
  const opt = q.edns ? Buffer.from([0, 0, 41, q.edns[0] >> 8, q.edns[0] & 0xff, 0, q.edns[1], 0, 0, 0, 0]) : Buffer.alloc(0);
  return Buffer.concat([header, question, second, opt]);
}

interface Reply {
  bytes: number;
  qr: boolean;
  aa: boolean;
  tc: boolean;
  rcode: number;
  nscount: number;
  /** the OPT record at the end of the reply (the only additional for these queries), if any */
  opt?: { extendedRcode: number; version: number };
}

function ask(server: string, bytes: Buffer): Promise<Reply | undefined> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => (socket.close(), resolve(undefined)), 500);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      const flags = msg.readUInt16BE(2);
      const arcount = msg.readUInt16BE(10);
      const tail = msg.subarray(msg.length - 11);
      const hasOpt = arcount > 0 && tail[0] === 0 && tail.readUInt16BE(1) === 41;
      resolve({
        bytes: msg.length,
        qr: (flags & 0x8000) !== 0,
        aa: (flags & 0x0400) !== 0,
        tc: (flags & 0x0200) !== 0,
        rcode: flags & 0xf,
        nscount: msg.readUInt16BE(8),
        ...(hasOpt ? { opt: { extendedRcode: tail[5] as number, version: tail[6] as number } } : {}),
      });
    });
    socket.send(bytes, PORT, server);
  });
}

const RCODE = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];
const show = (r: Reply | undefined) => (r ? `${RCODE[r.rcode] ?? r.rcode}${r.opt?.extendedRcode ? ` (ext ${r.opt.extendedRcode})` : ''}${r.aa ? ' aa' : ''}${r.tc ? ' tc' : ''}${r.opt ? ' +OPT' : ''}, ${r.bytes} B, ns ${r.nscount}` : 'no reply');

interface Check {
  rfc: string;
  expect: string;
  query: Query;
  ok: (r: Reply | undefined) => boolean;
}

const checks: Check[] = [
  { rfc: 'RFC 1035 4.1.1', expect: 'an authoritative answer has AA', query: { qname: 'example.com', qtype: 6 }, ok: (r) => !!r?.aa },
  { rfc: 'RFC 6891 7', expect: 'a query with OPT gets OPT back', query: { qname: 'example.com', qtype: 6, edns: [1232, 0] }, ok: (r) => !!r?.opt },
  { rfc: 'RFC 6891 6.1.3', expect: 'EDNS version 1 gets BADVERS', query: { qname: 'example.com', qtype: 6, edns: [1232, 1] }, ok: (r) => r?.opt?.extendedRcode === 1 && r.rcode === 0 },
  { rfc: 'RFC 2308 3', expect: 'NXDOMAIN carries the SOA', query: { qname: 'nx.example.com', qtype: 1 }, ok: (r) => r?.rcode === 3 && r.nscount === 1 },
  { rfc: 'RFC 2308 2.2', expect: 'NODATA carries the SOA', query: { qname: 'mx1.example.com', qtype: 15 }, ok: (r) => r?.rcode === 0 && r.nscount === 1 },
  { rfc: 'RFC 1035 4.2.1', expect: 'over 512 octets without EDNS: TC, fits 512', query: { qname: 'big.example.com', qtype: 16 }, ok: (r) => !!r?.tc && r.bytes <= 512 },
  { rfc: 'RFC 1035 4.1.1', expect: 'a response (QR=1) is not answered', query: { qname: 'example.com', qtype: 6, flags: 0x8000 }, ok: (r) => r === undefined },
  { rfc: 'RFC 9619', expect: 'QDCOUNT 2: FORMERR', query: { qname: 'example.com', qtype: 6, qdcount: 2 }, ok: (r) => r?.rcode === 1 },
  { rfc: 'RFC 1035 4.1.1', expect: 'QDCOUNT 0: FORMERR', query: { qdcount: 0 }, ok: (r) => r?.rcode === 1 },
  { rfc: 'RFC 1035 4.1.1', expect: 'a label past the end: FORMERR or dropped', query: { raw: Buffer.from([7, 0x65, 0x78]) }, ok: (r) => r === undefined || r.rcode === 1 },
  { rfc: 'RFC 2136 3', expect: 'UPDATE (opcode 5): NOTIMP or REFUSED, not an answer', query: { qname: 'example.com', qtype: 6, flags: 5 << 11 }, ok: (r) => r?.rcode === 4 || r?.rcode === 5 },
];

// ------------------------------------------------------------------ run

const dir = tempDir('mxpool-bench-dns2-');
const children: ChildProcess[] = [];
const here = fileURLToPath(new URL('.', import.meta.url));

async function start(script: string, listen: string): Promise<void> {
  const child = spawn(process.execPath, [join(here, script), join(dir, 'zone.json'), listen], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`${script} exited (${code})`)));
  });
}

try {
  writeFileSync(join(dir, 'zone.json'), JSON.stringify(desired(config, allHealthy(config, 0), { serial: 1, now: 0 })));
  await start('serve-mxpool.ts', `${SERVERS.mxpool}:${PORT}`);
  await start('serve-dns2.ts', `${SERVERS.dns2}:${PORT}`);
  const rows: string[][] = [['RFC', 'expected', 'mxpool', 'dns2 (plain server)']];
  let dns2Gaps = 0;
  for (const check of checks) {
    const bytes = packet(check.query);
    const [mx, d2] = [await ask(SERVERS.mxpool, bytes), await ask(SERVERS.dns2, bytes)];
    if (!check.ok(d2)) dns2Gaps++;
    rows.push([check.rfc, check.expect, `${check.ok(mx) ? 'yes' : 'NO'}: ${show(mx)}`, `${check.ok(d2) ? 'yes' : 'NO'}: ${show(d2)}`]);
  }
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
  process.stdout.write(`\ndns2 misses ${dns2Gaps} of ${checks.length} checks\n`);
} finally {
  for (const child of children) child.kill('SIGTERM');
  removeTempDir(dir);
}

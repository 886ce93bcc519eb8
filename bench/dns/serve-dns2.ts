// The reference a reader might expect mxpool to be built on: a plain dns2 server (dns2's own UDP
// server, its decoder and encoder) answering the same zone, written the way dns2's README shows —
// the handler looks the question up and pushes answers. No rotation, no EDNS: dns2's best case.
// `node serve-dns2.ts ZONE.json ADDRESS:PORT`; prints "ready" once it answers; stops on SIGTERM.
// dns2 is a devDependency: only the benchmarks and the tests (as an independent parser) use it.
import { readFileSync } from 'node:fs';
import dns2 from 'dns2';
import type { DesiredZone, RData } from '../../src/model.ts';

const { Packet } = dns2;
const [zoneFile, listen] = process.argv.slice(2) as [string, string];
const zone = JSON.parse(readFileSync(zoneFile, 'utf8')) as DesiredZone;
const [address, port] = listen.split(':') as [string, string];

function resource(name: string, ttl: number, data: RData): Record<string, unknown> {
  const base = { name, ttl, class: Packet.CLASS.IN, type: Packet.TYPE[data.type as keyof typeof Packet.TYPE] };
  switch (data.type) {
    case 'A':
    case 'AAAA':
      return { ...base, address: data.address };
    case 'NS':
      return { ...base, ns: data.target };
    case 'MX':
      return { ...base, exchange: data.exchange, priority: data.preference };
    case 'TXT':
      return { ...base, data: data.strings };
    case 'SOA':
      return { ...base, primary: data.mname, admin: data.rname, serial: data.serial, refresh: data.refresh, retry: data.retry, expiration: data.expire, minimum: data.minimum };
    default:
      throw new Error(`serve-dns2: ${data.type} not needed by the benchmark zone`);
  }
}

// name -> type -> resources, built once
const names = new Map<string, Map<number, Record<string, unknown>[]>>();
for (const set of zone.sets) {
  const byType = names.get(set.name) ?? new Map<number, Record<string, unknown>[]>();
  names.set(set.name, byType);
  byType.set(Packet.TYPE[set.type as keyof typeof Packet.TYPE], set.values.map((value) => resource(set.name, set.ttl, value.data)));
}

const server = dns2.createServer({
  udp: true,
  handle: (request, send) => {
    const response = Packet.createResponseFromRequest(request);
    const [question] = request.questions;
    const byType = question ? names.get(question.name.toLowerCase()) : undefined;
    if (!question || !byType) response.header.rcode = 3; // NXDOMAIN
    else response.answers.push(...((byType.get(question.type) ?? []) as never[]));
    send(response);
  },
});
await server.listen({ udp: { port: Number(port), address } });
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});

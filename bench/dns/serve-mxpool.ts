// Runs the mxpool nameserver for the benchmark: `node serve-mxpool.ts ZONE.json ADDRESS:PORT [WORKERS]`.
// Prints "ready <port>" once it answers; stops on SIGTERM.
import { readFileSync } from 'node:fs';
import { DnsServer } from '../../src/dns/server.ts';
import { silentLogger } from '../../src/log.ts';
import type { DesiredZone } from '../../src/model.ts';

const [zoneFile, listen, workers = '1'] = process.argv.slice(2);
const zone = JSON.parse(readFileSync(zoneFile as string, 'utf8')) as DesiredZone;
const server = new DnsServer({
  nameserver: {
    listen: [listen as string],
    transfer: { allow: [], notify: [] },
    journal: { maxVersions: 100, maxBytes: 1 << 20 },
    workers: Number(workers),
  },
  zone: zone.zone,
  logger: silentLogger,
});
await server.start();
server.setZone(zone);
process.stdout.write(`ready ${server.listening().udp[0]}\n`);
process.on('SIGTERM', () => {
  void server.stop().then(() => process.exit(0));
});

// `npx node bench/xfr/run.ts [--hosts 10000] [--rounds 3]`: a 10,000-host zone (an ISP's: inbound pools
// of 20 hosts, each with its MX name and weighted pool name) served by mxpool with
// NSD, Knot and BIND as TSIG-protected secondaries (the configs of docs/nameserver.md). Each round
// takes one host down: the bytes mxpool sends each secondary for that change, and the time from the
// zone change until every secondary answers the new set (the host's own A gone: secondaries apply a
// transfer atomically, so the whole new version is there). Twice: with the journal (IXFR), and with
// `journal.maxVersions: 0`, where every IXFR gets the whole zone — what mxpool sent before the
// journal existed. Bounded: at most 20,000 hosts and 10 rounds. Loopback only (127.16.1.x; BIND on
// 127.0.0.1, the one address its interface scan finds).
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseConfig } from '../../src/config/load.ts';
import { desired } from '../../src/desired.ts';
import { DnsServer } from '../../src/dns/server.ts';
import { keyring } from '../../src/dns/tsig/keys.ts';
import type { Config } from '../../src/config/schema.ts';
import type { HealthSnapshot, HostHealth } from '../../src/model.ts';
import { TYPE } from '../../src/dns/constants.ts';
import { rawQuery } from '../../test/dns/packets.ts';
import { freePort, startBind, startKnot, startNsd, type Secondary, type TsigSpec } from '../../test/helpers/secondaries.ts';
import { tempDir } from '../../test/helpers/temp-dir.ts';

const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};
const HOSTS = Math.min(arg('hosts', 10_000), 20_000);
const ROUNDS = Math.min(arg('rounds', 3), 10);
const PRIMARY = '127.16.1.10';
const ADDRESSES = { nsd: '127.16.1.11', knot: '127.16.1.12', bind: '127.0.0.1' } as const;
type Kind = keyof typeof ADDRESSES;
const KINDS: Kind[] = ['nsd', 'knot', 'bind'];
const keys: Record<Kind, TsigSpec> = {
  nsd: { name: 'xfr-nsd', algorithm: 'hmac-sha256', secret: randomBytes(32).toString('base64') },
  knot: { name: 'xfr-knot', algorithm: 'hmac-sha384', secret: randomBytes(48).toString('base64') },
  bind: { name: 'xfr-bind', algorithm: 'hmac-sha512', secret: randomBytes(64).toString('base64') },
};
const hostName = (i: number) => `h${i}.example.com`;

/** An ISP's zone: POOL_SIZE hosts per inbound pool, each pool its own MX name and weighted A name. */
const POOL_SIZE = 20;

function configFor(port: number, ports: Record<Kind, number>, maxVersions: number): Config {
  const pools: string[] = [];
  for (let p = 0; p * POOL_SIZE < HOSTS; p++) {
    const hosts = [];
    for (let i = p * POOL_SIZE; i < Math.min(HOSTS, (p + 1) * POOL_SIZE); i++) hosts.push(`      - { name: ${hostName(i)}, address: 10.${i >> 16}.${(i >> 8) & 255}.${i & 255} }`);
    pools.push(`  - name: p${p}\n    role: inbound\n    mx: { name: mail${p}.example.com, preference: 10 }\n    hostname: pool${p}.example.com\n    hosts:\n${hosts.join('\n')}`);
  }
  return parseConfig(`zone: example.com
ttl: 30
pools:
${pools.join('\n')}
nameserver:
  listen: ["${PRIMARY}:${port}"]
  ns: [ns1.example.com]
  soa: { mname: ns1.example.com, rname: hostmaster.example.com }
  tsig:
${KINDS.map((k) => `    - { name: ${keys[k].name}, algorithm: ${keys[k].algorithm}, secretEnv: UNUSED }`).join('\n')}
  transfer:
    allow:
${KINDS.map((k) => `      - { address: ${ADDRESSES[k]}, key: ${keys[k].name} }`).join('\n')}
    notify:
${KINDS.map((k) => `      - { address: "${ADDRESSES[k]}:${ports[k]}", key: ${keys[k].name} }`).join('\n')}
  journal: { maxVersions: ${maxVersions} }
records:
  - { name: ns1.example.com, type: A, value: ${PRIMARY} }
`, 'bench-xfr.yaml');
}

function snapshot(config: Config, down: Set<number>): HealthSnapshot {
  const map = new Map<string, HostHealth>();
  config.pools.forEach((pool, p) => pool.hosts.forEach((host, i) => map.set(host.name, { host: host.name, pool: pool.name, state: down.has(p * POOL_SIZE + i) ? 'unhealthy' : 'healthy', since: 0 })));
  return map;
}

/** rcode of `name A` at a secondary, or -1 on no answer within 200 ms. */
function rcodeAt(host: string, port: number, name: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(-1);
    }, 200);
    socket.on('message', (msg) => {
      clearTimeout(timer);
      socket.close();
      resolve((msg[3] as number) & 0x0f);
    });
    socket.send(rawQuery(name, TYPE.A, { id: 4242 }), port, host);
  });
}

async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out: ${what}`);
}

interface RoundResult { bytes: Record<Kind, number>; ms: Record<Kind, number>; forms: Record<Kind, string[]>; setZoneMs: number }

async function run(mode: 'ixfr' | 'whole zone'): Promise<RoundResult[]> {
  const dir = tempDir('mxpool-bench-xfr-');
  const ports = { nsd: await freePort(ADDRESSES.nsd), knot: await freePort(ADDRESSES.knot), bind: await freePort(ADDRESSES.bind) };
  const port = await freePort(PRIMARY);
  const config = configFor(port, ports, mode === 'ixfr' ? 100 : 0);
  process.stderr.write(`${mode}: config of ${HOSTS} hosts parsed\n`);
  const transfers: { remote: string; serial: number; bytes: number; form: string }[] = [];
  const logger = pino({ level: 'info' }, {
    write: (line: string) => {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'zone transfer') transfers.push({ remote: String(entry.remote), serial: Number(entry.serial), bytes: Number(entry.bytes), form: String(entry.form) });
    },
  });
  const server = new DnsServer({
    nameserver: config.nameserver!,
    zone: config.zone,
    logger,
    keys: keyring(KINDS.map((k) => ({ name: keys[k].name, algorithm: keys[k].algorithm, secret: Buffer.from(keys[k].secret, 'base64') }))),
    stateDir: join(dir, 'state'),
  });
  const down = new Set<number>();
  let serial = 2026120700;
  server.setZone(desired(config, snapshot(config, down), { serial, now: 0 }));
  await server.start();
  const secondaries: Record<Kind, Secondary> = {
    nsd: startNsd({ zones: ['example.com'], primary: { host: PRIMARY, port }, key: keys.nsd, host: ADDRESSES.nsd, port: ports.nsd, dir: join(dir, 'nsd') }),
    knot: startKnot({ zones: ['example.com'], primary: { host: PRIMARY, port }, key: keys.knot, host: ADDRESSES.knot, port: ports.knot, dir: join(dir, 'knot') }),
    bind: startBind({ zones: ['example.com'], primary: { host: PRIMARY, port }, key: keys.bind, host: ADDRESSES.bind, port: ports.bind, dir: join(dir, 'bind') }),
  };
  const results: RoundResult[] = [];
  const loadStarted = performance.now();
  try {
    for (const kind of KINDS) await until(`${kind} loads the zone`, async () => (await rcodeAt(ADDRESSES[kind], ports[kind], hostName(0))) === 0, 120_000);
    process.stderr.write(`${mode}: all three loaded the zone in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s\n`);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // let the start-up NOTIFY retries settle
    for (let round = 1; round <= ROUNDS; round++) {
      const victim = round * 7;
      down.add(victim);
      serial++;
      const zone = desired(config, snapshot(config, down), { serial, now: 0 });
      const before = transfers.length;
      const started = performance.now();
      server.setZone(zone);
      const setZoneMs = performance.now() - started;
      const ms = {} as Record<Kind, number>;
      await Promise.all(KINDS.map(async (kind) => {
        await until(`${kind} drops ${hostName(victim)}`, async () => (await rcodeAt(ADDRESSES[kind], ports[kind], hostName(victim))) === 3, 30_000);
        ms[kind] = performance.now() - started;
      }));
      await new Promise((resolve) => setTimeout(resolve, 500)); // late SOA re-checks count too
      const mine = transfers.slice(before).filter((t) => t.serial === serial);
      const of = (kind: Kind) => mine.filter((t) => t.remote === ADDRESSES[kind]);
      results.push({
        bytes: Object.fromEntries(KINDS.map((k) => [k, of(k).reduce((sum, t) => sum + t.bytes, 0)])) as Record<Kind, number>,
        forms: Object.fromEntries(KINDS.map((k) => [k, of(k).map((t) => t.form)])) as Record<Kind, string[]>,
        ms,
        setZoneMs,
      });
      process.stderr.write(`${mode}: round ${round} done\n`);
    }
  } finally {
    await Promise.all(KINDS.map((k) => secondaries[k].stop()));
    await server.stop();
  }
  return results;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

console.log(`bench/xfr: ${HOSTS} hosts in inbound pools of ${POOL_SIZE} (host A, pool A and MX per host), ${ROUNDS} rounds of one host down`);
const summary: Record<string, RoundResult[]> = {};
for (const mode of ['ixfr', 'whole zone'] as const) {
  const results = await run(mode);
  summary[mode] = results;
  console.log(`\n${mode === 'ixfr' ? 'with the journal (IXFR)' : 'journal.maxVersions: 0 (every IXFR answered with the whole zone, as before)'}`);
  console.log('round | NSD bytes | Knot bytes | BIND bytes | NSD ms | Knot ms | BIND ms | all three ms | of which setZone ms | after setZone ms | forms');
  results.forEach((r, i) => {
    const all = Math.max(...KINDS.map((k) => r.ms[k]));
    console.log(`${i + 1} | ${KINDS.map((k) => kb(r.bytes[k])).join(' | ')} | ${KINDS.map((k) => r.ms[k].toFixed(0)).join(' | ')} | ${all.toFixed(0)} | ${r.setZoneMs.toFixed(0)} | ${(all - r.setZoneMs).toFixed(0)} | ${KINDS.map((k) => `${k}:${r.forms[k].join('+')}`).join(' ')}`);
  });
}
const perMode = (mode: string, kind: Kind) => median(summary[mode]!.map((r) => r.bytes[kind]));
const allMs = (mode: string) => median(summary[mode]!.map((r) => Math.max(...KINDS.map((k) => r.ms[k]))));
const afterMs = (mode: string) => median(summary[mode]!.map((r) => Math.max(...KINDS.map((k) => r.ms[k])) - r.setZoneMs));
console.log('\nmedians');
for (const kind of KINDS) console.log(`${kind}: IXFR ${kb(perMode('ixfr', kind))} vs whole zone ${kb(perMode('whole zone', kind))} (x${(perMode('whole zone', kind) / Math.max(1, perMode('ixfr', kind))).toFixed(0)})`);
console.log(`all three answer the new set, from the zone change: IXFR ${allMs('ixfr').toFixed(0)} ms, whole zone ${allMs('whole zone').toFixed(0)} ms`);
console.log(`  of which after mxpool had the new version (NOTIFY -> SOA check -> transfer -> load): IXFR ${afterMs('ixfr').toFixed(0)} ms, whole zone ${afterMs('whole zone').toFixed(0)} ms`);

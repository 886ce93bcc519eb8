// TSIG and IXFR with dig -y and kdig -y against the nameserver: AXFR and IXFR=serial with the right
// key; a wrong secret (BADSIG), an unknown key (BADKEY), no key where transfer.allow requires one
// (REFUSED), a clock an hour off (BADTIME, with the server's time in Other Data); signed queries over
// UDP (also answered by worker processes); IXFR over UDP: incremental when it fits, the SOA alone
// when it does not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DnsServer } from '../../src/dns/server.ts';
import { keyring } from '../../src/dns/tsig/keys.ts';
import { desired } from '../../src/desired.ts';
import { silentLogger } from '../../src/log.ts';
import type { Config } from '../../src/config/schema.ts';
import type { HealthState } from '../../src/model.ts';
import { answerLines, dnsConfig, run } from './helpers.ts';
import { health } from '../desired/fixtures.ts';

const SERVER = '127.16.0.20';
const KEYED = '127.16.0.21'; // transfer.allow: with key xfr
const OPEN = '127.16.0.22'; // transfer.allow: address alone
const OTHER = '127.16.0.24'; // not listed
const WORKERS = '127.16.0.25'; // a second server, with worker processes
const secret = randomBytes(32).toString('base64');
const secret512 = randomBytes(64).toString('base64');
const right = `hmac-sha256:xfr:${secret}`;
const wrongSecret = `hmac-sha256:xfr:${randomBytes(32).toString('base64')}`;
const unknown = `hmac-sha256:nosuchkey:${secret}`;
const other = `hmac-sha512:xfr512:${secret512}`;

let skew = 0;
let cfg: Config;
let server: DnsServer;
let workers: DnsServer;
let port: number;
let workersPort: number;
const zoneAt = (serial: number, states: Record<string, HealthState> = {}) => desired(cfg, health(cfg, states), { serial, now: 0 });

function makeServer(listen: string, extra: Partial<NonNullable<Config['nameserver']>> = {}): DnsServer {
  const c = dnsConfig(listen, {
    tsig: [{ name: 'xfr', algorithm: 'hmac-sha256', secretEnv: 'UNUSED' }, { name: 'xfr512', algorithm: 'hmac-sha512', secretEnv: 'UNUSED' }],
    transfer: { allow: [{ address: KEYED, key: 'xfr' }, OPEN], notify: [] },
    ...extra,
  });
  cfg = c;
  return new DnsServer({
    nameserver: c.nameserver as NonNullable<Config['nameserver']>,
    zone: c.zone,
    logger: silentLogger,
    keys: keyring([{ name: 'xfr', algorithm: 'hmac-sha256', secret: Buffer.from(secret, 'base64') }, { name: 'xfr512', algorithm: 'hmac-sha512', secret: Buffer.from(secret512, 'base64') }]),
    now: () => Date.now() + skew,
  });
}

async function tool(command: 'dig' | 'kdig', to: number, from: string, args: string[], host = SERVER): Promise<{ out: string; code: number }> {
  // a UDP question lost or late on a loaded machine is asked again, as a secondary would
  const base = command === 'dig' ? ['+tries=3', '+time=5'] : ['+retry=2', '+time=5'];
  try {
    const { stdout, stderr } = await run(command, [`@${host}`, '-p', String(to), '-b', from, ...base, ...args], { timeout: 20_000 });
    return { out: stdout + stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { out: `${e.stdout ?? ''}${e.stderr ?? ''}`, code: e.code ?? 1 };
  }
}
const dig = (from: string, ...args: string[]) => tool('dig', port, from, args);
const kdig = (from: string, ...args: string[]) => tool('kdig', port, from, args);
/** the SOA serials of a transfer in order: AXFR form is [s, s], incremental [new, old, new, new] */
const soaSerials = (out: string) => answerLines(out).filter((r) => r[3] === 'SOA').map((r) => r[6]);

beforeAll(async () => {
  server = makeServer(`${SERVER}:0`);
  await server.start();
  server.setZone(zoneAt(100));
  server.setZone(zoneAt(101, { 'mx1.example.com': 'unhealthy' }));
  port = Number(/:(\d+)$/.exec(server.listening().udp[0] as string)?.[1]);
  workers = makeServer(`${WORKERS}:0`, { workers: 2 });
  await workers.start();
  workers.setZone(zoneAt(101));
  workersPort = Number(/:(\d+)$/.exec(workers.listening().udp[0] as string)?.[1]);
});

afterAll(async () => {
  await server?.stop();
  await workers?.stop();
});

describe('dig -y and kdig -y', () => {
  it('AXFR with the right key: the whole zone, every message signed and verified', async () => {
    const signed = await dig(KEYED, '-y', right, 'example.com', 'AXFR');
    expect(signed.out).not.toMatch(/could not be validated|Couldn't verify|failed/i);
    expect(signed.out).toMatch(/^xfr\.\s+0\s+ANY\s+TSIG\s+hmac-sha256\. \d+ 300 32 \S+ \d+ NOERROR 0/m);
    const plain = await dig(OPEN, 'example.com', 'AXFR');
    expect(answerLines(signed.out).filter((r) => r[3] !== 'TSIG')).toEqual(answerLines(plain.out));
    const k = await kdig(KEYED, '-y', right, 'example.com', 'AXFR');
    expect(k.code).toBe(0);
    expect(k.out).toMatch(/;; Received \d+ B \(1 messages, \d+ records\)/);
    expect(k.out).not.toMatch(/WARNING|;; ERROR/);
  });

  it('IXFR=serial with the right key: the condensed difference, framed by SOA records', async () => {
    for (const query of [dig, kdig]) {
      const ixfr = await query(KEYED, '-y', right, 'example.com', 'IXFR=100', ...(query === dig ? [] : ['+tcp']));
      expect(ixfr.out).not.toMatch(/could not be validated|Couldn't verify|;; ERROR|failed/i);
      expect(soaSerials(ixfr.out)).toEqual(['101', '100', '101', '101']);
      const deleted = answerLines(ixfr.out).filter((r) => r[3] !== 'SOA' && r[3] !== 'TSIG').map((r) => `${r[0]} ${r[3]} ${r.slice(4).join(' ')}`);
      expect(deleted.sort()).toEqual(['example.com. MX 10 mx1.example.com.', 'mx.example.com. A 192.0.2.11', 'mx1.example.com. A 192.0.2.11']);
    }
    // current: the SOA alone; unknown serial: the whole zone
    expect(soaSerials((await dig(KEYED, '-y', right, 'example.com', 'IXFR=101')).out)).toEqual(['101']);
    expect(soaSerials((await dig(KEYED, '-y', right, 'example.com', 'IXFR=7')).out)).toEqual(['101', '101']);
  });

  it('a wrong secret: BADSIG, unsigned, and no records', async () => {
    const d = await dig(KEYED, '-y', wrongSecret, 'example.com', 'AXFR');
    expect(d.out).toMatch(/TSIG\s+hmac-sha256\. \d+ 300 0 \d+ BADSIG 0/);
    expect(d.out).toMatch(/Transfer failed/);
    expect(answerLines(d.out).filter((r) => r[3] === 'SOA')).toHaveLength(0);
    expect((await kdig(KEYED, '-y', wrongSecret, 'example.com', 'AXFR')).out).toMatch(/server replied with error 'BADSIG'/);
    const soa = await dig(KEYED, '-y', wrongSecret, 'example.com', 'SOA');
    expect(soa.out).toMatch(/status: NOTAUTH/);
  });

  it('an unknown key: BADKEY', async () => {
    expect((await dig(KEYED, '-y', unknown, 'example.com', 'SOA')).out).toMatch(/status: NOTAUTH[\s\S]*nosuchkey\.\s+0\s+ANY\s+TSIG\s+hmac-sha256\. \d+ 300 0 \d+ BADKEY 0/);
    expect((await kdig(KEYED, '-y', unknown, 'example.com', 'AXFR')).out).toMatch(/server replied with error 'BADKEY'/);
  });

  it('no key from an address transfer.allow lists with one: REFUSED; another valid key: REFUSED, signed', async () => {
    const d = await dig(KEYED, 'example.com', 'AXFR');
    expect(d.out).toMatch(/Transfer failed/);
    expect(answerLines(d.out)).toHaveLength(0);
    expect((await kdig(KEYED, 'example.com', 'AXFR')).out).toMatch(/REFUSED/);
    const wrongKey = await kdig(KEYED, '-y', other, 'example.com', 'AXFR');
    expect(wrongKey.out).toMatch(/REFUSED/);
    expect(wrongKey.out).not.toMatch(/reply verification|TSIG/i); // the refusal verified with that key
    // the right key from an address not listed at all
    expect((await dig(OTHER, '-y', right, 'example.com', 'AXFR')).out).toMatch(/Transfer failed/);
  });

  it('an address listed without a key keeps today\'s behaviour: unsigned and signed requests both transfer', async () => {
    expect(soaSerials((await dig(OPEN, 'example.com', 'AXFR')).out)).toEqual(['101', '101']);
    const signed = await dig(OPEN, '-y', other, 'example.com', 'AXFR');
    expect(soaSerials(signed.out)).toEqual(['101', '101']);
    expect(signed.out).not.toMatch(/could not be validated|Couldn't verify/);
  });

  it('a clock an hour off: BADTIME, signed, the request\'s time signed and the server\'s time in Other Data', async () => {
    skew = 3600_000;
    try {
      const d = await dig(KEYED, '-y', right, 'example.com', 'SOA');
      expect(d.out).toMatch(/status: NOTAUTH/);
      // dig verified the MAC, then saw the clocks apart
      expect(d.out).toMatch(/clocks are unsynchronized/);
      expect(d.out).toMatch(/TSIG\s+hmac-sha256\. \d+ 300 32 \S+ \d+ BADTIME 6 \S+/);
      const k = await kdig(KEYED, '-y', right, 'example.com', 'SOA');
      const match = /TSIG\s+hmac-sha256\. (\d+) 300 32 \S+ \d+ BADTIME 6 (\d+)/.exec(k.out);
      expect(match, k.out).not.toBeNull();
      const [signedAt, serverTime] = [Number(match?.[1]), Number(match?.[2])];
      expect(serverTime - signedAt).toBeGreaterThanOrEqual(3599);
      expect(serverTime - signedAt).toBeLessThanOrEqual(3601);
      expect((await kdig(KEYED, '-y', right, 'example.com', 'AXFR')).out).toMatch(/BADTIME/);
    } finally {
      skew = 0;
    }
  });
});

describe('over UDP', () => {
  it('a signed query gets a signed answer; a truncated one is signed too and dig retries over TCP', async () => {
    const soa = await dig(KEYED, '-y', right, '+notcp', 'example.com', 'SOA');
    expect(soa.out).toMatch(/status: NOERROR/);
    expect(soa.out).toMatch(/TSIG\s+hmac-sha256\. \d+ 300 32 \S+ \d+ NOERROR 0/);
    expect(soa.out).not.toMatch(/could not be validated|Couldn't verify/);
    const big = await dig(KEYED, '-y', right, '+noedns', 'big.example.com', 'TXT');
    expect(big.out).toMatch(/Truncated, retrying in TCP mode/);
    expect(big.out).toMatch(/ANSWER: 2/);
    expect(big.out).not.toMatch(/could not be validated|Couldn't verify/);
  });

  it('IXFR: incremental when it fits one message, else the SOA alone (the client asks again over TCP)', async () => {
    const fits = await kdig(KEYED, '-y', right, '+notcp', 'example.com', 'IXFR=100');
    expect(fits.out).toMatch(/\(UDP\)/);
    expect(soaSerials(fits.out)).toEqual(['101', '100', '101', '101']);
    expect(fits.out).not.toMatch(/WARNING|;; ERROR/);
    // every host down: a difference of some 20 records does not fit 512 octets without EDNS
    const everyone = Object.fromEntries(cfg.pools.flatMap((p) => p.hosts.map((h) => [h.name, 'disabled' as HealthState])));
    server.setZone(zoneAt(102, everyone));
    const alone = await kdig(KEYED, '-y', right, '+notcp', '+noedns', 'example.com', 'IXFR=101');
    expect(soaSerials(alone.out)).toEqual(['102']);
    expect(alone.out).not.toMatch(/WARNING|;; ERROR/);
    const overTcp = await kdig(KEYED, '-y', right, '+tcp', 'example.com', 'IXFR=101');
    expect(soaSerials(overTcp.out)).toEqual(['102', '101', '102', '102']);
  });

  it('worker processes answer signed queries too (and refuse a wrong secret the same way)', async () => {
    const answers = await Promise.all(Array.from({ length: 24 }, () => tool('dig', workersPort, KEYED, ['-y', right, '+notcp', 'example.com', 'SOA'], WORKERS)));
    for (const a of answers) {
      expect(a.out).toMatch(/status: NOERROR/);
      expect(a.out).not.toMatch(/could not be validated|Couldn't verify/);
    }
    const bad = await Promise.all(Array.from({ length: 8 }, () => tool('dig', workersPort, KEYED, ['-y', wrongSecret, '+notcp', 'example.com', 'SOA'], WORKERS)));
    for (const b of bad) expect(b.out).toMatch(/BADSIG/);
  });
});

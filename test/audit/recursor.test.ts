// The recursor over a scripted exchanger (our own seam between resolution and sockets): the one
// cache with TTLs (negative answers by the SOA minimum, RFC 2308 5; none without SOA), in-flight
// de-duplication, the bound on queries in flight, referrals and zone cuts, lame and dead servers,
// tries, CNAME chains. Pure: a fake clock, no sockets.
import { describe, expect, it } from 'vitest';
import { RCODE, typeName } from '../../src/dns/constants.ts';
import type { Exchange, ServerAddress } from '../../src/dns/client.ts';
import type { ResponseMessage, ResponseRecord } from '../../src/dns/message.ts';
import { FAILURE_TTL, Recursor, type Exchanger } from '../../src/audit/live/recursor.ts';
import { TtlCache } from '../../src/audit/live/ttl-cache.ts';

type Script = (server: string, name: string, type: string) => Exchange | Promise<Exchange>;

const START: ServerAddress = { host: '127.14.0.1', port: 5353 };

function reply(fields: Partial<ResponseMessage>): Exchange {
  return { ok: true, message: { id: 1, aa: true, tc: false, ra: false, rcode: RCODE.NOERROR, answer: [], authority: [], additional: [], edns: true, ...fields } };
}
const rr = (name: string, ttl: number, data: ResponseRecord['data']): ResponseRecord => ({ name, ttl, data });
const soa = (zone: string, ttl = 3600, minimum = 300) => rr(zone, ttl, { type: 'SOA', mname: `ns.${zone}`, rname: `h.${zone}`, serial: 1, minimum });
const timeout: Exchange = { ok: false, kind: 'timeout', reason: 'no answer within 100 ms' };

function harness(script: Script, options: { concurrency?: number } = {}) {
  const asked: string[] = [];
  let clock = 1_000_000;
  let inFlight = 0;
  let maxInFlight = 0;
  // as DnsClient.query: attempt k to servers[k mod n], the first answer wins
  const client: Exchanger = {
    async query(servers, name, type, attempts) {
      const failures: { server: ServerAddress; kind: 'timeout' | 'unreachable' | 'malformed'; reason: string }[] = [];
      for (let k = 0; k < attempts; k++) {
        const server = servers[k % servers.length] as ServerAddress;
        const label = `${server.host}:${server.port}`;
        asked.push(`${label} ${name} ${typeName(type)}`);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 1));
          const result = await script(label, name, typeName(type));
          if (result.ok) return { ok: true, message: result.message, server };
          failures.push({ server, kind: result.kind, reason: result.reason });
        } finally {
          inFlight--;
        }
      }
      return { ok: false, failures };
    },
  };
  const recursor = new Recursor({ client, servers: [START], concurrency: options.concurrency ?? 8, now: () => clock, timeoutMs: 1000 });
  return { recursor, asked, advance: (seconds: number) => (clock += seconds * 1000), maxInFlight: () => maxInFlight };
}

describe('the recursor', () => {
  it('caches answers for their TTL, then asks again', async () => {
    const h = harness((_s, name) => reply({ answer: [rr(name, 60, { type: 'TXT', strings: ['v=spf1 -all'] })] }));
    expect(await h.recursor.lookup('a.test', 'TXT')).toEqual({ status: 'ok', records: [{ type: 'TXT', strings: ['v=spf1 -all'] }], ttl: 60 });
    await h.recursor.lookup('a.test', 'TXT');
    expect(h.asked).toHaveLength(1);
    h.advance(59);
    await h.recursor.lookup('a.test', 'TXT');
    expect(h.asked).toHaveLength(1);
    h.advance(2);
    await h.recursor.lookup('a.test', 'TXT');
    expect(h.asked).toHaveLength(2);
  });

  it('caches NXDOMAIN and NODATA for min(SOA TTL, SOA minimum) (RFC 2308 5); not at all without an SOA', async () => {
    const h = harness((_s, name) => {
      if (name === 'gone.test') return reply({ rcode: RCODE.NXDOMAIN, authority: [soa('test', 3600, 120)] });
      if (name === 'empty.test') return reply({ authority: [soa('test', 30, 900)] });
      return reply({ aa: false, ra: true }); // a recursive resolver's NODATA without SOA
    });
    expect(await h.recursor.lookup('gone.test', 'MX')).toEqual({ status: 'nxdomain' });
    expect(await h.recursor.lookup('empty.test', 'MX')).toEqual({ status: 'nodata' });
    expect(await h.recursor.lookup('bare.test', 'MX')).toEqual({ status: 'nodata' });
    h.advance(29);
    for (const name of ['gone.test', 'empty.test', 'bare.test']) await h.recursor.lookup(name, 'MX');
    expect(h.asked.map((q) => q.split(' ')[1])).toEqual(['gone.test', 'empty.test', 'bare.test', 'bare.test']);
    h.advance(2); // 31 s: past the 30 s SOA TTL of empty.test, within gone.test's 120 s minimum
    for (const name of ['gone.test', 'empty.test']) await h.recursor.lookup(name, 'MX');
    expect(h.asked.map((q) => q.split(' ')[1])).toEqual(['gone.test', 'empty.test', 'bare.test', 'bare.test', 'empty.test']);
  });

  it('two questions for the same name at once share one query', async () => {
    const h = harness((_s, name) => reply({ answer: [rr(name, 60, { type: 'A', address: '127.14.1.1' })] }));
    const answers = await Promise.all(Array.from({ length: 20 }, () => h.recursor.lookup('mx1.isp.test', 'A')));
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(h.asked).toEqual(['127.14.0.1:5353 mx1.isp.test A']);
  });

  it('never has more than `concurrency` queries in flight', async () => {
    const h = harness((_s, name) => reply({ answer: [rr(name, 60, { type: 'A', address: '127.14.1.1' })] }), { concurrency: 4 });
    await Promise.all(Array.from({ length: 100 }, (_, i) => h.recursor.lookup(`h${i}.test`, 'A')));
    expect(h.asked).toHaveLength(100);
    expect(h.maxInFlight()).toBe(4);
  });

  it('follows a referral, remembers the zone cut, and asks the child directly next time', async () => {
    const h = harness((server, name, type) => {
      if (server === '127.14.0.1:5353') {
        return reply({ aa: false, authority: [rr('child.test', 600, { type: 'NS', target: 'ns.child.test' })], additional: [rr('ns.child.test', 600, { type: 'A', address: '127.14.0.7' })] });
      }
      return reply({ answer: type === 'MX' ? [rr(name, 60, { type: 'MX', preference: 10, exchange: 'mx.child.test' })] : [], authority: type === 'MX' ? [] : [soa('child.test')] });
    });
    expect(await h.recursor.lookup('child.test', 'MX')).toMatchObject({ status: 'ok', records: [{ exchange: 'mx.child.test' }] });
    expect(await h.recursor.lookup('_dmarc.child.test', 'TXT')).toEqual({ status: 'nodata' });
    expect(h.asked).toEqual(['127.14.0.1:5353 child.test MX', '127.14.0.7:53 child.test MX', '127.14.0.7:53 _dmarc.child.test TXT']);
  });

  it('a delegated server that answers without authority, or refuses, is lame: temperror with the reason', async () => {
    const referralTo = (zone: string, address: string) => reply({ aa: false, authority: [rr(zone, 600, { type: 'NS', target: `ns.${zone}` })], additional: [rr(`ns.${zone}`, 600, { type: 'A', address })] });
    const h = harness((server, name) => {
      const zone = name.endsWith('refuse.test') ? 'refuse.test' : 'lame.test';
      if (server === '127.14.0.8:53') return reply({ rcode: RCODE.REFUSED, aa: false });
      return referralTo(zone, zone === 'refuse.test' ? '127.14.0.8' : '127.14.0.9'); // .9 repeats the referral
    });
    expect(await h.recursor.lookup('lame.test', 'TXT')).toEqual({ status: 'temperror', reason: 'lame.test: lame delegation: 127.14.0.9:53 is a nameserver of lame.test but answered without authority' });
    expect(await h.recursor.lookup('refuse.test', 'TXT')).toEqual({ status: 'temperror', reason: 'refuse.test: lame delegation: 127.14.0.8:53 is a nameserver of refuse.test but refused the query' });
  });

  it('REFUSED from the start server means nobody here can answer (unresolvable); SERVFAIL is a temperror', async () => {
    const h = harness((_s, name) => reply({ rcode: name === 'elsewhere.example' ? RCODE.REFUSED : RCODE.SERVFAIL, aa: false }));
    expect(await h.recursor.lookup('elsewhere.example', 'TXT')).toEqual({ status: 'unresolvable', reason: 'elsewhere.example: the nameserver refused the query (not authoritative for it)' });
    expect(await h.recursor.lookup('broken.test', 'TXT')).toEqual({ status: 'temperror', reason: 'broken.test: SERVFAIL from 127.14.0.1:5353' });
  });

  it('a dead delegated server costs its tries once; then every question to its zone fails at once', async () => {
    const h = harness((server) =>
      server === '127.14.0.1:5353'
        ? reply({ aa: false, authority: [rr('dead.test', 600, { type: 'NS', target: 'ns.dead.test' })], additional: [rr('ns.dead.test', 600, { type: 'A', address: '127.14.0.99' })] })
        : timeout,
    );
    const first = await h.recursor.lookup('dead.test', 'TXT');
    expect(first).toEqual({ status: 'temperror', reason: 'dead.test: no answer within 100 ms' });
    expect(h.asked.filter((q) => q.startsWith('127.14.0.99'))).toHaveLength(2); // tried twice
    const second = await h.recursor.lookup('_dmarc.dead.test', 'TXT');
    expect(second).toEqual({ status: 'temperror', reason: '_dmarc.dead.test: every nameserver of dead.test failed (no answer within 100 ms)' });
    expect(h.asked.filter((q) => q.startsWith('127.14.0.99'))).toHaveLength(2);
    // failures are remembered for FAILURE_TTL, then asked again
    h.advance(FAILURE_TTL + 1);
    await h.recursor.lookup('dead.test', 'TXT');
    expect(h.asked.filter((q) => q.startsWith('127.14.0.99'))).toHaveLength(4);
  });

  it('the start server is tried twice but never marked dead', async () => {
    let calls = 0;
    const h = harness(() => (++calls <= 2 ? timeout : reply({ answer: [rr('a.test', 60, { type: 'A', address: '127.14.1.1' })] })));
    expect(await h.recursor.lookup('a.test', 'A')).toMatchObject({ status: 'temperror' });
    expect(await h.recursor.lookup('b.test', 'A')).toMatchObject({ status: 'nodata' });
    expect(h.asked).toHaveLength(3);
  });

  it('a start server silent for 2 x concurrency questions in a row is no longer waited for; asked once per timeout; live again when it answers', async () => {
    let answering = false;
    const h = harness((_s, name) => (answering ? reply({ answer: [rr(name, 60, { type: 'A', address: '127.14.1.1' })] }) : timeout), { concurrency: 4 });
    const names = Array.from({ length: 20 }, (_, i) => `d${i}.test`);
    const first = await Promise.all(names.map((n) => h.recursor.lookup(n, 'A')));
    // at least 8 questions (2 x 4) sent and timed out, twice each, plus at most the 4 already on the wire;
    // the others fail without being sent
    const sent = new Set(h.asked.map((q) => q.split(' ')[1]));
    expect(sent.size).toBeGreaterThanOrEqual(8);
    expect(sent.size).toBeLessThanOrEqual(8 + 4);
    expect(h.asked).toHaveLength(2 * sent.size);
    names.forEach((n, i) => {
      const reason = sent.has(n) ? `${n}: no answer within 100 ms` : `${n}: the nameserver 127.14.0.1:5353 answered none of the last 8 questions (asked again once every 1 s)`;
      expect(first[i]).toEqual({ status: 'temperror', reason });
    });
    // within the pause: nothing sent
    const asked = h.asked.length;
    expect((await h.recursor.lookup('e1.test', 'A')).status).toBe('temperror');
    expect(h.asked).toHaveLength(asked);
    // after the pause one question goes through; it times out again, the next is refused
    h.advance(1);
    await h.recursor.lookup('e2.test', 'A');
    await h.recursor.lookup('e3.test', 'A');
    expect(h.asked.slice(asked).map((q) => q.split(' ')[1])).toEqual(['e2.test', 'e2.test']);
    // the server comes back: the next probe is answered and every question is asked again
    answering = true;
    h.advance(1);
    expect(await h.recursor.lookup('e4.test', 'A')).toMatchObject({ status: 'ok' });
    expect(await h.recursor.lookup('e5.test', 'A')).toMatchObject({ status: 'ok' });
  });

  it('follows CNAME chains inside the answer and beyond it', async () => {
    const h = harness((_s, name, type) => {
      if (name === 'www.test') return reply({ answer: [rr('www.test', 300, { type: 'CNAME', target: 'web.test' }), rr('web.test', 300, { type: 'CNAME', target: 'host.other.test' })] });
      if (name === 'host.other.test' && type === 'A') return reply({ answer: [rr('host.other.test', 100, { type: 'A', address: '127.14.3.3' })] });
      return reply({ authority: [soa('test')] });
    });
    expect(await h.recursor.lookup('www.test', 'A')).toEqual({ status: 'ok', records: [{ type: 'A', address: '127.14.3.3' }], ttl: 100 });
    expect(h.asked).toEqual(['127.14.0.1:5353 www.test A', '127.14.0.1:5353 host.other.test A']);
  });
});

describe('TtlCache', () => {
  it('expires entries, keeps nothing for a TTL of 0 and evicts the oldest past its bound', () => {
    let now = 0;
    const cache = new TtlCache<number>({ now: () => now, maxEntries: 2 });
    cache.set('a', 1, 10);
    cache.set('zero', 2, 0);
    expect(cache.get('zero')).toBeUndefined();
    cache.set('b', 2, 10);
    cache.set('c', 3, 10);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
    now = 10_000;
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(1);
  });
});


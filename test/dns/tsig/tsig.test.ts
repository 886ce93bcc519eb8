// TSIG as pure functions: sign -> verify round trips for every algorithm, the truncation rules of
// RFC 8945 5.2.2.1, the forms a TSIG record must have (FORMERR otherwise), error answers, and the
// multi-message rules (prior MAC, up to 99 unsigned messages, the last one signed).
import { describe, expect, it } from 'vitest';
import { decodeSecret, keyring, type TsigKey } from '../../../src/dns/tsig/keys.ts';
import { appendTsig, hmac, macPrefix, signMessage, signNext, tsigVariables, unsignedMessage } from '../../../src/dns/tsig/mac.ts';
import { verifyRequest } from '../../../src/dns/tsig/verify.ts';
import { signAnswer, tsigErrorAnswer } from '../../../src/dns/tsig/respond.ts';
import { StreamSigner, StreamVerifier, MAX_UNSIGNED_RUN } from '../../../src/dns/tsig/stream.ts';
import { findTsig, writeTsig, type TsigRecord } from '../../../src/dns/tsig/record.ts';
import { TSIG_ALGORITHM_NAMES, TSIG_ALGORITHMS, TSIG_ERROR } from '../../../src/dns/tsig/algorithms.ts';
import { TYPE } from '../../../src/dns/constants.ts';
import { rawQuery } from '../packets.ts';

const NOW = 1_796_585_000;
const secret = (n: number) => Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 7 + n) & 0xff));
const ring = keyring(TSIG_ALGORITHM_NAMES.map((algorithm, i) => ({ name: `key-${algorithm}`, algorithm, secret: secret(i) })));
const keyFor = (algorithm: string) => ring.get(`key-${algorithm}`) as TsigKey;
const query = () => rawQuery('example.com', TYPE.SOA, { id: 0x2a2a });

/** Re-signs `msg` with a MAC of `size` octets (truncated or padded) — what a peer might send. */
function withMacSize(key: TsigKey, size: number): Buffer {
  const msg = query();
  const fields = { keyName: key.name, algorithm: key.algorithm, timeSigned: NOW, fudge: 300, error: 0, other: Buffer.alloc(0) };
  const full = hmac(key, [msg, tsigVariables(fields)]);
  const mac = size <= full.length ? full.subarray(0, size) : Buffer.concat([full, Buffer.alloc(size - full.length)]);
  return appendTsig(msg, { ...fields, mac, originalId: 0x2a2a });
}

describe('sign and verify a request', () => {
  it.each(TSIG_ALGORITHM_NAMES)('%s: verifies; BADSIG when changed; BADKEY for another algorithm under the same name', (algorithm) => {
    const key = keyFor(algorithm);
    const { message, mac } = signMessage(query(), { key, now: NOW });
    expect(mac.length).toBe(TSIG_ALGORITHMS[algorithm].size);
    expect(message.readUInt16BE(10)).toBe(1);
    expect(verifyRequest(message, ring, NOW)).toMatchObject({ status: 'ok', key: { name: key.name } });
    expect(verifyRequest(query(), ring, NOW)).toEqual({ status: 'unsigned' });
    const changed = Buffer.from(message);
    changed[5] = 1; // QDCOUNT stays 1; flip the RD bit instead
    changed[2] = (changed[2] as number) ^ 0x01;
    expect(verifyRequest(changed, ring, NOW).status).toBe('badsig');
    const other = TSIG_ALGORITHM_NAMES.find((a) => a !== algorithm) as string;
    const renamed = keyring([{ name: key.name, algorithm: other, secret: key.secret }]);
    expect(verifyRequest(message, renamed, NOW)).toMatchObject({ status: 'badkey' });
  });

  it('key and algorithm names compare without case (canonical form in the MAC)', () => {
    const key = keyFor('hmac-sha256');
    const { message } = signMessage(query(), { key, now: NOW });
    const upper = Buffer.from(message.toString('latin1').replace('key-hmac-sha256', 'KEY-HMAC-SHA256').replace(/hmac-sha256(?=\0)/, 'HMAC-SHA256'), 'latin1');
    expect(upper.equals(message)).toBe(false);
    expect(verifyRequest(upper, ring, NOW).status).toBe('ok');
  });

  it.each([
    ['hmac-sha256', 32, 'ok'], ['hmac-sha256', 16, 'ok'], ['hmac-sha256', 15, 'formerr'], ['hmac-sha256', 33, 'formerr'], ['hmac-sha256', 0, 'formerr'],
    ['hmac-sha384', 24, 'ok'], ['hmac-sha384', 23, 'formerr'],
    ['hmac-sha512', 32, 'ok'], ['hmac-sha512', 31, 'formerr'], ['hmac-sha512', 65, 'formerr'],
  ])('%s with a MAC of %i octets: %s (RFC 8945 5.2.2.1)', (algorithm, size, status) => {
    expect(verifyRequest(withMacSize(keyFor(algorithm), size), ring, NOW).status).toBe(status);
  });

  it('a truncated request MAC is what the answer is signed over', () => {
    const key = keyFor('hmac-sha256');
    const request = withMacSize(key, 16);
    const check = verifyRequest(request, ring, NOW);
    if (check.status !== 'ok') throw new Error(check.status);
    const answer = signAnswer(unsignedMessage(request, check.at, 0x2a2a), check, NOW);
    expect(new StreamVerifier(key, (findTsig(request) as { record: TsigRecord }).record.mac, () => NOW).verify(answer)).toEqual({ ok: true, signed: true });
  });
});

describe('TSIG record forms that are format errors (RFC 8945 5.2)', () => {
  const key = keyFor('hmac-sha256');
  const signed = signMessage(query(), { key, now: NOW }).message;
  const tsig = signed.subarray(query().length);
  const cases: [string, () => Buffer][] = [
    ['two TSIG records', () => { const m = Buffer.concat([signed, tsig]); m.writeUInt16BE(2, 10); return m; }],
    ['TSIG before an OPT', () => { const opt = Buffer.from([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0]); const m = Buffer.concat([signed, opt]); m.writeUInt16BE(2, 10); return m; }],
    ['TSIG in the answer section', () => { const m = Buffer.from(signed); m.writeUInt16BE(1, 6); m.writeUInt16BE(0, 10); return m; }],
    ['class IN instead of ANY', () => { const m = Buffer.from(signed); m.writeUInt16BE(1, query().length + 17 + 2); return m; }],
    ['a MAC size past the record', () => { const m = Buffer.from(signed); const at = query().length + 17 + 10 + 13 + 8; m.writeUInt16BE(0xffff, at); return m; }],
    ['octets after the TSIG', () => Buffer.concat([signed, Buffer.from([0])])],
    ['a record count that cannot fit', () => { const m = Buffer.from(signed); m.writeUInt16BE(0xffff, 10); return m; }],
  ];
  it.each(cases)('%s', (_what, build) => {
    const message = build();
    expect(verifyRequest(message, ring, NOW).status).toBe('formerr');
  });
  it('a message without any additional record is simply unsigned', () => {
    expect(findTsig(query())).toEqual({ kind: 'none' });
  });
});

describe('error answers (RFC 8945 5.3.2)', () => {
  const key = keyFor('hmac-sha384');
  const request = signMessage(query(), { key, now: NOW - 1000 }).message;
  const reply = Buffer.from(query());
  reply[2] = 0x80;
  reply[3] = 9;

  it('BADTIME: signed over the request MAC, the request\'s Time Signed, our time in Other Data', () => {
    const check = verifyRequest(request, ring, NOW);
    if (check.status !== 'badtime') throw new Error(check.status);
    const answer = tsigErrorAnswer(reply, check, NOW);
    const { record } = findTsig(answer) as { record: TsigRecord };
    expect(record).toMatchObject({ error: TSIG_ERROR.BADTIME, timeSigned: NOW - 1000, keyName: key.name });
    expect(record.other.readUIntBE(0, 6)).toBe(NOW);
    const requestMac = (findTsig(request) as { record: TsigRecord }).record.mac;
    expect(new StreamVerifier(key, requestMac, () => NOW - 1000).verify(answer)).toEqual({ ok: false, reason: 'the server answered BADTIME' });
  });

  it('BADSIG and BADKEY: unsigned (MAC size 0), naming the error and the key the client used', () => {
    const forged = signMessage(query(), { key: { ...key, secret: secret(99) }, now: NOW }).message;
    const badsig = verifyRequest(forged, ring, NOW);
    if (badsig.status !== 'badsig') throw new Error(badsig.status);
    const unknown = signMessage(query(), { key: { ...key, name: 'who', secret: key.secret }, now: NOW }).message;
    const badkey = verifyRequest(unknown, ring, NOW);
    if (badkey.status !== 'badkey') throw new Error(badkey.status);
    for (const [check, error, name] of [[badsig, TSIG_ERROR.BADSIG, key.name], [badkey, TSIG_ERROR.BADKEY, 'who']] as const) {
      const { record } = findTsig(tsigErrorAnswer(reply, check, NOW)) as { record: TsigRecord };
      expect(record).toMatchObject({ error, keyName: name, algorithm: 'hmac-sha384', originalId: 0x2a2a });
      expect(record.mac.length).toBe(0);
    }
  });
});

describe('multi-message streams (RFC 8945 5.3.1)', () => {
  const key = keyFor('hmac-sha512');
  const requestMac = Buffer.alloc(64, 3);
  const messages = Array.from({ length: 250 }, (_, i) => rawQuery(`m${i}.example.com`, TYPE.A, { id: 7 }));

  it('every message signed by the signer verifies in order; out of order it does not', () => {
    const signer = new StreamSigner(key, requestMac, () => NOW);
    const signed = messages.slice(0, 5).map((m) => signer.sign(m));
    const verifier = new StreamVerifier(key, requestMac, () => NOW);
    for (const m of signed) expect(verifier.verify(m)).toEqual({ ok: true, signed: true });
    expect(verifier.finish()).toEqual({ ok: true, signed: true });
    const swapped = new StreamVerifier(key, requestMac, () => NOW);
    expect(swapped.verify(signed[0]!).ok).toBe(true);
    expect(swapped.verify(signed[2]!).ok).toBe(false);
  });

  /** A stream a server signs only every `every`-th message of (and the last). */
  function sparse(count: number, every: number): Buffer[] {
    const out: Buffer[] = [];
    let prior: Buffer = requestMac;
    let pending: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const msg = messages[i] as Buffer;
      if (i === 0) {
        const first = signMessage(msg, { key, now: NOW, requestMac });
        out.push(first.message);
        prior = first.mac;
      } else if (i % every === 0 || i === count - 1) {
        const next = signNext(msg, key, prior, pending, NOW);
        out.push(next.message);
        prior = next.mac;
        pending = [];
      } else {
        out.push(msg);
        pending.push(msg);
      }
    }
    return out;
  }

  it(`accepts up to ${MAX_UNSIGNED_RUN} unsigned messages between signed ones`, () => {
    const verifier = new StreamVerifier(key, requestMac, () => NOW);
    const results = sparse(250, 100).map((m) => verifier.verify(m));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && r.signed).length).toBe(4); // 0, 100, 200, 249
    expect(verifier.finish().ok).toBe(true);
  });

  it('refuses a run of 100 unsigned messages, an unsigned first message and an unsigned last one', () => {
    const long = new StreamVerifier(key, requestMac, () => NOW);
    const results = sparse(250, 101).map((m) => long.verify(m));
    expect(results[100]).toEqual({ ok: false, reason: `more than ${MAX_UNSIGNED_RUN} unsigned messages in a row` });
    const first = new StreamVerifier(key, requestMac, () => NOW);
    expect(first.verify(messages[0]!)).toEqual({ ok: false, reason: 'the answer is not signed' });
    const last = new StreamVerifier(key, requestMac, () => NOW);
    for (const m of sparse(10, 100).slice(0, 9)) last.verify(m);
    expect(last.finish()).toEqual({ ok: false, reason: 'the last 8 message(s) carry no TSIG' });
  });

  it('a message signed too long ago is BADTIME for the client too', () => {
    const signer = new StreamSigner(key, requestMac, () => NOW - 400);
    expect(new StreamVerifier(key, requestMac, () => NOW).verify(signer.sign(messages[0]!))).toEqual({ ok: false, reason: 'signed 400 s away from our clock (BADTIME)' });
  });
});

describe('secrets', () => {
  it.each([
    ['dKUvPmanlLDYZMZ0vZynUas69Dd84IlZxjV9YeIOpp8=', 32],
    ['  dKUvPmanlLDYZMZ0vZynUas69Dd84IlZxjV9YeIOpp8=\n', 32],
    ['AAAAAAAAAAAAAAAAAAAAAA==', 16],
  ])('%j decodes to %i octets', (text, octets) => {
    expect(decodeSecret(text)).toEqual({ secret: expect.any(Buffer) });
    expect((decodeSecret(text) as { secret: Buffer }).secret.length).toBe(octets);
  });
  it.each([
    ['', 'is empty'],
    ['not base64!', 'is not valid base64'],
    ['dKUvPmanlLDYZMZ0vZynUas69Dd84IlZxjV9YeIOpp8', 'is not valid base64'],
    ['c2hvcnQ=', 'decodes to 5 octets'],
    [Buffer.alloc(600).toString('base64'), 'decodes to 600 octets'],
  ])('%j: %s', (text, problem) => {
    const result = decodeSecret(text);
    expect('problem' in result && result.problem).toContain(problem);
    expect(JSON.stringify(result)).not.toContain(text.length > 0 ? text : '\u0000');
  });
  it('a TSIG record written and found again is the same', () => {
    const record: TsigRecord = { keyName: 'k.example', algorithm: 'hmac-sha256', timeSigned: 0xffff_ffff_ff, fudge: 300, mac: Buffer.alloc(32, 1), originalId: 9, error: 18, other: Buffer.alloc(6, 2) };
    const msg = appendTsig(query(), record);
    expect(findTsig(msg)).toEqual({ kind: 'signed', record, at: query().length });
    expect(writeTsig(record).length).toBe(msg.length - query().length);
    expect(macPrefix(Buffer.alloc(3)).readUInt16BE(0)).toBe(3);
  });
});

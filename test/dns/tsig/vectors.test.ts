// TSIG against the real implementations, offline: requests as dig and kdig signed them, and the
// answers (an AXFR stream, a signed SOA, BADTIME, BADSIG, BADKEY) of named and knotd to requests
// mxpool signed — captured once on loopback (test/fixtures/tsig/vectors.json) and checked here at
// the time they were made. If our MAC layout were wrong anywhere, none of these would verify.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { keyring } from '../../../src/dns/tsig/keys.ts';
import { verifyRequest } from '../../../src/dns/tsig/verify.ts';
import { StreamVerifier } from '../../../src/dns/tsig/stream.ts';
import { findTsig, type TsigRecord } from '../../../src/dns/tsig/record.ts';
import { tsigErrorAnswer } from '../../../src/dns/tsig/respond.ts';
import { TSIG_ERROR } from '../../../src/dns/tsig/algorithms.ts';

interface Vectors {
  keys: { name: string; algorithm: string; secret: string }[];
  requests: { tool: string; key: string; now: number; message: string }[];
  answers: { server: string; what: string; key: string; now: number; request: string; requestMac: string; messages: string[] }[];
}

const vectors = JSON.parse(readFileSync(new URL('../../fixtures/tsig/vectors.json', import.meta.url), 'utf8')) as Vectors;
const ring = keyring(vectors.keys.map((k) => ({ name: k.name, algorithm: k.algorithm, secret: Buffer.from(k.secret, 'base64') })));
const b64 = (text: string) => Buffer.from(text, 'base64');

function signedPart(message: Buffer): { record: TsigRecord; at: number } {
  const found = findTsig(message);
  if (found.kind !== 'signed') throw new Error(`expected a TSIG record: ${found.kind}`);
  return found;
}

describe('requests signed by dig and kdig', () => {
  it.each(vectors.requests.map((r) => [r.tool, r] as const))('%s verifies at its time, and not when changed', (_tool, request) => {
    const message = Buffer.from(request.message, 'hex');
    const ok = verifyRequest(message, ring, request.now);
    expect(ok.status).toBe('ok');
    if (ok.status === 'ok') expect(ok.key.name).toBe(request.key);
    // five minutes and one second off the time signed: BADTIME, once the MAC has verified
    const signedAt = signedPart(message).record.timeSigned;
    expect(Math.abs(signedAt - request.now)).toBeLessThanOrEqual(1);
    expect(verifyRequest(message, ring, signedAt + 301).status).toBe('badtime');
    expect(verifyRequest(message, ring, signedAt - 301).status).toBe('badtime');
    expect(verifyRequest(message, ring, signedAt + 300).status).toBe('ok');
    expect(verifyRequest(message, ring, signedAt - 300).status).toBe('ok');
    // one flipped bit in the question: BADSIG
    const flipped = Buffer.from(message);
    flipped[14] = (flipped[14] as number) ^ 0x01;
    expect(verifyRequest(flipped, ring, request.now).status).toBe('badsig');
    // the ID rewritten on the way (a forwarder): Original ID keeps it verifiable (RFC 8945 4.3.2)
    const renumbered = Buffer.from(message);
    renumbered.writeUInt16BE(0xbeef, 0);
    expect(verifyRequest(renumbered, ring, request.now).status).toBe('ok');
    // the same name, another secret: BADSIG; a keyring without the key: BADKEY
    const other = keyring(vectors.keys.map((k) => ({ name: k.name, algorithm: k.algorithm, secret: Buffer.alloc(32, 9) })));
    expect(verifyRequest(message, other, request.now).status).toBe('badsig');
    expect(verifyRequest(message, keyring([]), request.now).status).toBe('badkey');
  });
});

describe('answers of named and knotd to requests mxpool signed', () => {
  const streams = vectors.answers.filter((a) => a.what === 'AXFR stream');
  it.each(streams.map((a) => [a.server, a] as const))('%s: every message of a multi-message AXFR verifies over the prior MAC', (_server, answer) => {
    const key = ring.get(answer.key)!;
    expect(answer.messages.length).toBeGreaterThan(1);
    const verifier = new StreamVerifier(key, b64(answer.requestMac), () => answer.now);
    for (const message of answer.messages) expect(verifier.verify(b64(message))).toEqual({ ok: true, signed: true });
    expect(verifier.finish().ok).toBe(true);
    // a changed octet in the second message breaks the stream there, and for good
    const tampered = new StreamVerifier(key, b64(answer.requestMac), () => answer.now);
    const second = b64(answer.messages[1]!);
    second[40] = (second[40] as number) ^ 0xff;
    expect(tampered.verify(b64(answer.messages[0]!)).ok).toBe(true);
    expect(tampered.verify(second)).toEqual({ ok: false, reason: 'the MAC does not verify (BADSIG)' });
    expect(tampered.finish().ok).toBe(false);
    // another request MAC (an answer to someone else's request) does not verify
    expect(new StreamVerifier(key, Buffer.alloc(key.algorithm === 'hmac-sha256' ? 32 : 48, 1), () => answer.now).verify(b64(answer.messages[0]!)).ok).toBe(false);
  });

  it('named: a signed SOA answer verifies', () => {
    const answer = vectors.answers.find((a) => a.what === 'SOA')!;
    const verifier = new StreamVerifier(ring.get(answer.key)!, b64(answer.requestMac), () => answer.now);
    expect(verifier.verify(b64(answer.messages[0]!))).toEqual({ ok: true, signed: true });
  });

  const errors = vectors.answers.filter((a) => ['BADTIME', 'BADSIG', 'BADKEY'].includes(a.what));
  it.each(errors.map((a) => [a.server, a.what, a] as const))('%s %s: NOTAUTH, and mxpool builds the same TSIG for it', (_server, what, answer) => {
    const theirs = b64(answer.messages[0]!);
    expect(theirs[3]! & 0x0f).toBe(9); // NOTAUTH
    const verifier = new StreamVerifier(ring.get(answer.key)!, b64(answer.requestMac), () => answer.now);
    expect(verifier.verify(theirs)).toEqual({ ok: false, reason: `the server answered ${what}` });
    // our answer to the same request, at the same time, has the same TSIG fields
    const request = b64(answer.request);
    // (the BADSIG request was signed with another secret, the BADKEY one with an unknown key name)
    const check = verifyRequest(request, ring, answer.now);
    expect(check.status).toBe(what.toLowerCase());
    if (check.status !== 'badkey' && check.status !== 'badsig' && check.status !== 'badtime') return;
    const reply = Buffer.from(theirs.subarray(0, signedPart(theirs).at));
    reply.writeUInt16BE(reply.readUInt16BE(10) - 1, 10);
    const ours = tsigErrorAnswer(reply, check, answer.now);
    const a = signedPart(ours).record;
    const b = signedPart(theirs).record;
    for (const field of ['keyName', 'algorithm', 'error', 'fudge', 'originalId', 'other'] as const) expect(a[field], field).toEqual(b[field]);
    expect(a.mac.length).toBe(b.mac.length);
    if (what === 'BADTIME') {
      expect(a.timeSigned).toBe(b.timeSigned); // the request's, so the client's check passes
      expect(a.error).toBe(TSIG_ERROR.BADTIME);
      // the MAC itself: ours verifies like theirs (signed over the request MAC)
      expect(new StreamVerifier(ring.get(answer.key)!, b64(answer.requestMac), () => answer.now).verify(ours)).toEqual({ ok: false, reason: 'the server answered BADTIME' });
    }
  });
});

// The DANE digests the probe reports, checked against openssl's own computation of the same
// values (RFC 6698 2.1: selector 0 = the whole certificate, 1 = its SubjectPublicKeyInfo).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { certDigests } from '../../src/probe/cert.ts';
import { makeTestPki, type TestPki } from '../helpers/smtp/test-ca.ts';

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

function opensslDigest(pipeline: string, algorithm: 'sha256' | 'sha512'): string {
  return execSync(`${pipeline} | openssl dgst -${algorithm} -r`, { encoding: 'utf8' }).split(' ')[0] as string;
}

describe('certDigests', () => {
  it('matches openssl for SPKI and certificate, SHA-256 and SHA-512', () => {
    const pair = pki.leaf('mx1.example.com');
    const raw = new X509Certificate(pair.cert).raw;
    const digests = certDigests(raw);
    const spki = `openssl x509 -in ${pair.certFile} -pubkey -noout | openssl pkey -pubin -outform DER`;
    const der = `openssl x509 -in ${pair.certFile} -outform DER`;
    expect(digests).toEqual({
      spkiSha256: opensslDigest(spki, 'sha256'),
      spkiSha512: opensslDigest(spki, 'sha512'),
      certSha256: opensslDigest(der, 'sha256'),
      certSha512: opensslDigest(der, 'sha512'),
    });
  });

  it('gives the same object for the same certificate, different keys for a new key', () => {
    const a = pki.leaf('mx2.example.com');
    const b = pki.leaf('mx2.example.com');
    const first = certDigests(new X509Certificate(a.cert).raw);
    expect(certDigests(new X509Certificate(a.cert).raw)).toBe(first);
    const other = certDigests(new X509Certificate(b.cert).raw);
    expect(other.spkiSha256).not.toBe(first.spkiSha256);
    expect(other.certSha256).not.toBe(first.certSha256);
  });
});

// Configs for the transport-security tests: the desired-records base config plus auth.mtaSts,
// auth.tlsRpt and auth.dane, and a CertDigests maker.
import { BASE_YAML, config } from '../desired/fixtures.ts';
import type { Config } from '../../src/config/schema.ts';
import type { CertDigests } from '../../src/probe/types.ts';

export const HEX = (c: string) => c.repeat(64);

/** The base config with `auth` lines added under auth:, and `records` items added under records:. */
export function transportConfig(auth: string, records = ''): Config {
  const yaml = BASE_YAML.replace('auth:\n', `auth:\n${auth}`).replace(/^records:\n/m, `records:\n${records}`);
  return config(yaml);
}

export const STS = `  mtaSts:
    mode: enforce
    maxAge: 7d
    address: [192.0.2.80, "2001:db8::80"]
    https: { listen: "127.18.0.1:443", certFile: /tmp/none.pem, keyFile: /tmp/none.key }
  tlsRpt: { rua: ["mailto:tlsrpt@example.com", "https://reports.example.net/tlsrpt"] }
`;

export function digests(c: string): CertDigests {
  return { spkiSha256: HEX(c), spkiSha512: HEX(c).repeat(2), certSha256: HEX(c === 'f' ? 'e' : 'f'), certSha512: HEX('d').repeat(2) };
}

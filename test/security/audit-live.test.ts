// `mxpool audit --config F --live` runs the relay security checks and DNSBL lookups the config asks
// for (once, as `probe` does) and reports them under the `relay-` and `dnsbl-` rules: the real CLI
// against the smtp-server zoo (127.18.9.10-13) and a blocklist zone in a real NSD (127.18.9.53).
// Without --live (the zone the config would publish) the relays are not contacted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZOO_PASSWORD, type ZooServer } from '../helpers/smtp/relay-zoo.ts';
import { mxpoolCli, RELAY_ENV, startRelayLab, type RelayLab } from '../helpers/smtp/relay-lab.ts';

const BL = 'zen.example-bl.test';
let lab: RelayLab | undefined;
let zoo: ZooServer[] = [];
let configFile: string;


beforeAll(async () => {
  // relay1 an open relay, relay2 fine but listed, relay3 takes any password, relay4 offers AUTH in clear
  const kinds = ['open', 'auth-right', 'auth-any-password', 'auth-before-starttls'] as const;
  lab = await startRelayLab({
    relays: kinds.map((kind, i) => ({ kind, address: `127.18.9.${10 + i}` })),
    blocklist: { zone: BL, address: '127.18.9.53', port: 5353, listings: [{ address: '127.18.9.11', codes: ['127.0.0.2'], txt: 'spam source' }] },
    security: ['openRelay: true', 'authAfterStarttls: true', 'auth: { usernameEnv: RELAY_USER, passwordEnv: RELAY_PASSWORD }'],
    probe: '{ timeout: 20s, interval: 30s }',
    dnsbl: { timeout: '10s', resolver: 'blocklist' },
  });
  ({ zoo, configFile } = lab);
}, 30_000);

afterAll(() => lab?.close());

interface Finding {
  id: string;
  severity: string;
  record: string;
  message: string;
  rfc: string;
}
/** the relay- and dnsbl- findings of the top-level zone's report, as "record id" */
function hygieneFindings(stdout: string): Finding[] {
  const report = JSON.parse(stdout) as { domains: { domain: string; findings: Finding[] }[] };
  const zone = report.domains.find((d) => d.domain === 'example.com');
  return (zone?.findings ?? []).filter((f) => /^(relay|dnsbl)-/.test(f.id));
}

describe('audit --config --live: relay checks and DNSBL lookups', { timeout: 120_000 }, () => {
  it('reports each relay finding and the listing, with its reference; no message is delivered', async () => {
    // the zone itself is asked of the list server (which refuses it): only the relay rules matter here
    const run = await mxpoolCli(['audit', '--config', configFile, '--live', '--nameserver', '127.18.9.53:5353', '--timeout', '2s', '--format', 'json'], RELAY_ENV);
    expect(run.code, run.stdout.slice(0, 3000)).toBe(1);
    const findings = hygieneFindings(run.stdout);
    expect(findings.map((f) => `${f.record} ${f.id}`).sort()).toEqual([
      `127.18.9.11 ${BL} dnsbl-listed`,
      'relay1.example.com SMTP relay-auth-failed',
      'relay1.example.com SMTP relay-open',
      'relay1.example.com SMTP relay-without-auth',
      'relay3.example.com SMTP relay-auth-accepts-bad-credentials',
      'relay4.example.com SMTP relay-auth-before-starttls',
    ]);
    const listed = findings.find((f) => f.id === 'dnsbl-listed');
    expect(listed?.message).toMatch(/relay2\.example\.com.*spam source/);
    expect(findings.find((f) => f.id === 'relay-open')).toMatchObject({ severity: 'error', rfc: expect.stringMatching(/RFC 5321/) });
    for (const server of zoo) expect(server.record.dataReceived, server.kind).toBe(false);
    // the credentials appear nowhere
    expect(run.stdout + run.stderr).not.toContain(ZOO_PASSWORD);
  });

  it('without --live the relays are not contacted (the audit of what the config would publish)', async () => {
    const contacts = () => zoo.map((z) => z.record.mailFrom.length + z.record.auths.length);
    const before = contacts();
    const run = await mxpoolCli(['audit', '--config', configFile, '--format', 'json'], RELAY_ENV);
    expect(run.stderr).not.toMatch(/Error/);
    const report = JSON.parse(run.stdout) as { findings: Finding[] };
    expect(report.findings.filter((f) => /^(relay|dnsbl)-/.test(f.id))).toEqual([]);
    expect(contacts()).toEqual(before);
  });
});

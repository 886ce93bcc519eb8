// `mxpool probe` with relay security checks and a DNS blocklist, end to end: the real CLI in a
// child process against the smtp-server zoo (127.17.4.10-13) and a blocklist zone in a real NSD
// (127.17.4.53). The JSON shows each host's findings; the table adds a SECURITY column and the
// findings under it; hosts with findings and onFinding: withdraw are withdrawn (exit 1). The
// credentials from the environment appear nowhere in stdout or stderr, even at --log-level trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZOO_PASSWORD, ZOO_USER, type ZooServer } from '../helpers/smtp/relay-zoo.ts';
import { mxpoolCli, RELAY_ENV, startRelayLab, type RelayLab } from '../helpers/smtp/relay-lab.ts';

const BL = 'zen.example-bl.test';
let lab: RelayLab | undefined;
let zoo: ZooServer[] = [];
let configFile: string;


beforeAll(async () => {
  // relay1 an open relay, relay2 fine but on the blocklist, relay3 takes any password, relay4 fine
  // (the list answers its lookups with an error code)
  const kinds = ['open', 'auth-right', 'auth-any-password', 'auth-right'] as const;
  lab = await startRelayLab({
    relays: kinds.map((kind, i) => ({ kind, address: `127.17.4.${10 + i}` })),
    blocklist: {
      zone: BL,
      address: '127.17.4.53',
      port: 5354,
      listings: [
        { address: '127.17.4.11', codes: ['127.0.0.2'], txt: 'spam source' },
        { address: '127.17.4.13', codes: ['127.255.255.254'] },
      ],
    },
    security: ['openRelay: true', 'authAfterStarttls: true', 'auth: { usernameEnv: RELAY_USER, passwordEnv: RELAY_PASSWORD }', 'onFinding: withdraw'],
    probe: '{ timeout: 20s, interval: 30s }',
    dnsbl: { timeout: '10s', resolver: 'blocklist' },
  });
  ({ zoo, configFile } = lab);
}, 30_000);

afterAll(() => lab?.close());

interface HostJson {
  host: string;
  state: string;
  ok: boolean;
  security: { id: string; message: string }[];
  securityCheck: { error: string | null; notes: string[]; transcript: string[] } | null;
  dnsbl: { zone: string; listed: boolean; status: string; codes: string[]; reason: string }[];
  withheld: string[];
}

// timeouts a loaded machine does not trip: each run must see every relay answer and the list too
describe('mxpool probe with pools[].security and dnsbl', { timeout: 120_000 }, () => {
  it('--json: findings per host, DNSBL verdicts, withdrawn hosts unhealthy (exit 1); no credential anywhere', async () => {
    const run = await mxpoolCli(['probe', '--config', configFile, '--json', '--log-level', 'trace'], RELAY_ENV);
    expect(run.code, run.stderr).toBe(1);
    const hosts = new Map((JSON.parse(run.stdout) as { hosts: HostJson[] }).hosts.map((h) => [h.host, h]));
    const ids = (name: string) => hosts.get(name)!.security.map((f) => f.id);
    // relay1 offers no AUTH at all, so the configured credentials cannot work there either
    expect(ids('relay1.example.com')).toEqual(['smtp-open-relay', 'smtp-relay-without-auth', 'smtp-auth-failed']);
    expect(ids('relay2.example.com')).toEqual(['dnsbl-listed']);
    expect(hosts.get('relay2.example.com')!.security[0]!.message).toBe(`listed on ${BL} (127.0.0.2: spam source)`);
    expect(ids('relay3.example.com')).toEqual(['smtp-auth-accepts-bad-credentials']);
    expect(ids('relay4.example.com')).toEqual([]);
    // the Spamhaus-style refusal is an error of the lookup, reported, never a listing
    expect(hosts.get('relay4.example.com')!.dnsbl).toEqual([{ zone: BL, listed: false, status: 'error', codes: ['127.255.255.254'], reason: '127.255.255.254: query through a public or open resolver, refused by the list' }]);
    expect(hosts.get('relay4.example.com')).toMatchObject({ ok: true, state: 'healthy', withheld: [] });
    for (const name of ['relay1.example.com', 'relay2.example.com', 'relay3.example.com']) {
      expect(hosts.get(name), name).toMatchObject({ ok: true, state: 'unhealthy' });
      expect(hosts.get(name)!.withheld.length, name).toBeGreaterThan(0);
    }
    expect(hosts.get('relay2.example.com')!.withheld).toEqual([`dnsbl: listed on ${BL} (127.0.0.2: spam source)`]);
    expect(hosts.get('relay1.example.com')!.withheld).toEqual(['security: smtp-open-relay, smtp-relay-without-auth, smtp-auth-failed']);
    expect(hosts.get('relay1.example.com')!.securityCheck?.transcript).toContain('C: RCPT TO:<relay-test@relay-test.invalid>');
    // secrets: not in the report, not in the trace logs, in no encoding
    const everything = run.stdout + run.stderr;
    expect(run.stderr).toContain('relay security check'); // the trace logs did run
    for (const form of [ZOO_PASSWORD, Buffer.from(ZOO_PASSWORD).toString('base64'), Buffer.from(`\0${ZOO_USER}\0${ZOO_PASSWORD}`).toString('base64')]) expect(everything).not.toContain(form);
    for (const server of zoo) expect(server.record.dataReceived, server.kind).toBe(false);
  });

  it('the table: a SECURITY column and every finding, hold and lookup error under it', async () => {
    const run = await mxpoolCli(['probe', '--config', configFile, '--log-level', 'silent'], RELAY_ENV);
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^HOST\s+POOL\s+RESULT\s+STAGE\s+MS\s+TLS\s+CERT DAYS\s+SECURITY\s+REASON$/);
    expect(lines.find((l) => l.startsWith('relay1.example.com '))).toMatch(/\sWITHDRAWN\s.*\ssmtp-open-relay,smtp-relay-without-auth,smtp-auth-failed$/);
    expect(lines.find((l) => l.startsWith('relay4.example.com '))).toMatch(/\sok\s.*\sunknown$/);
    expect(run.stdout).toContain('relay1.example.com  smtp-open-relay: MAIL FROM:<relay-test@relay-test.invalid> then RCPT TO:<relay-test@relay-test.invalid> accepted (250 Accepted) without AUTH');
    expect(run.stdout).toContain(`relay4.example.com  dnsbl ${BL}: lookup error: 127.255.255.254: query through a public or open resolver, refused by the list (not a listing)`);
    expect(run.stdout).toContain(`relay2.example.com  withdrawn from DNS: dnsbl: listed on ${BL} (127.0.0.2: spam source)`);
  });

  it('a credentials variable that is not set: exit 1, the key named at its line, nothing probed', async () => {
    const run = await mxpoolCli(['probe', '--config', configFile], { RELAY_USER: ZOO_USER });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/mxpool\.yaml:\d+:\d+: pools\.0\.security\.auth\.passwordEnv: the environment variable RELAY_PASSWORD is not set; the relay AUTH check needs it/);
  });
});

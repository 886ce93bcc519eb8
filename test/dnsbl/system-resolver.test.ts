// `dnsbl.resolver` unset means "the system's resolver": /etc/resolv.conf, as Node reads it. Tested
// for real: `mxpool probe` runs inside `unshare --mount` with a temporary resolv.conf bind-mounted
// over /etc/resolv.conf, naming the NSD that serves the blocklist zone on 127.18.8.53:53 — the
// listing is found through the system resolver path. The same run without the bind mount (the
// machine's resolv.conf, which cannot know the test zone) finds no listing: the answer came from
// the file mxpool was given, not from a default of its own. Needs root (CI runs as root).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRelayLab, type RelayLab } from '../helpers/smtp/relay-lab.ts';
import { track } from '../helpers/children.ts';

const BL = 'zen.example-bl.test';
const NSD = '127.18.8.53';
const root = process.getuid?.() === 0;
let lab: RelayLab | undefined;
let configFile: string;
let resolvConf: string;

function run(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    track(execFile(command, args, { timeout: 60_000 }, (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })));
  });
}

/** `mxpool probe --json`, with `resolvConf` over /etc/resolv.conf in a private mount namespace (or without). */
function probe(resolv: string | undefined) {
  const cli = [process.execPath, 'src/cli.ts', 'probe', '--config', configFile, '--json'];
  if (resolv === undefined) return run('unshare', ['--mount', ...cli]);
  // unshare's default propagation is private: the bind mount never reaches the machine's namespace
  return run('unshare', ['--mount', 'sh', '-c', 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"', '_', resolv, ...cli]);
}

interface HostJson {
  host: string;
  dnsbl: { zone: string; listed: boolean; status: string; codes: string[]; reason: string }[];
  withheld: string[];
}
const hostsOf = (stdout: string) => new Map((JSON.parse(stdout) as { hosts: HostJson[] }).hosts.map((h) => [h.host, h]));

beforeAll(async () => {
  if (!root) return;
  lab = await startRelayLab({
    relays: ['127.18.8.11', '127.18.8.12'].map((address) => ({ kind: 'closed' as const, address })),
    blocklist: { zone: BL, address: NSD, port: 53, listings: [{ address: '127.18.8.11', codes: ['127.0.0.2'], txt: 'found through the system resolver' }] },
    probe: '{ timeout: 10s, interval: 30s }',
    dnsbl: { timeout: '5s', resolver: 'system' }, // no dnsbl.resolver: the system's
  });
  configFile = lab.configFile;
  resolvConf = join(lab.pki.dir, 'resolv.conf');
  writeFileSync(resolvConf, `nameserver ${NSD}\noptions timeout:2 attempts:1\n`);
}, 45_000);

afterAll(() => lab?.close());

describe.skipIf(!root)('dnsbl without resolver: the system resolver', { timeout: 90_000 }, () => {
  it('finds the listing through /etc/resolv.conf (bind-mounted to name the test list server)', async () => {
    const listed = await probe(resolvConf);
    expect(listed.stderr).not.toMatch(/mount:/);
    const hosts = hostsOf(listed.stdout);
    expect(hosts.get('relay1.example.com')?.dnsbl).toEqual([{ zone: BL, listed: true, status: 'listed', codes: ['127.0.0.2'], reason: 'found through the system resolver' }]);
    expect(hosts.get('relay1.example.com')?.withheld).toEqual([`dnsbl: listed on ${BL} (127.0.0.2: found through the system resolver)`]);
    expect(hosts.get('relay2.example.com')?.dnsbl).toEqual([expect.objectContaining({ zone: BL, listed: false, status: 'clean' })]);
    expect(listed.code, listed.stderr).toBe(1); // the listed relay is withdrawn: not all healthy

    // the machine's own resolv.conf knows nothing of the test list: no listing, whatever it answers
    // (in a network namespace with loopback only, its server is unreachable: a lookup error, which
    // once crashed the process — a failed UDP connect went unnoticed and the next send threw)
    const plain = await probe(undefined);
    expect(plain.stderr).not.toMatch(/ERR_SOCKET_BAD_PORT|RangeError/);
    const without = hostsOf(plain.stdout);
    expect(without.get('relay1.example.com')?.dnsbl).toEqual([expect.objectContaining({ zone: BL, listed: false })]);
    expect(without.get('relay1.example.com')?.dnsbl[0]?.status).not.toBe('listed');
  });
});

// The set-up of the end-to-end relay-security and DNSBL tests (probe, audit --live, the system
// resolver): smtp-server relays of the zoo on their own loopback addresses, a blocklist zone in a
// real NSD listing some of them, and an mxpool config whose outbound pool names the relays.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTestPki, type TestPki } from './test-ca.ts';
import { startZooServer, ZOO_PASSWORD, ZOO_USER, type ZooKind, type ZooServer } from './relay-zoo.ts';
import { track } from '../children.ts';
import { startNsdBlocklist, type BlocklistEntry, type NsdBlocklist } from '../dns/nsd-blocklist.ts';

export interface RelayLabOptions {
  /** relay N+1 (relayN+1.example.com) is a zoo server of this kind on this address */
  relays: readonly { kind: ZooKind; address: string }[];
  blocklist: { zone: string; address: string; port: number; listings: BlocklistEntry[] };
  /** YAML lines of the pool's `security:` block (none: no relay checks) */
  security?: readonly string[];
  /** the `probe:` mapping, without caFile (the lab's CA is added) */
  probe: string;
  /** dnsbl.timeout; `resolver: 'system'` leaves dnsbl.resolver unset (the system's resolver) */
  dnsbl: { timeout: string; resolver: 'blocklist' | 'system' };
}

export interface RelayLab {
  pki: TestPki;
  zoo: ZooServer[];
  bl: NsdBlocklist;
  configFile: string;
  close(): Promise<void>;
}

export async function startRelayLab(options: RelayLabOptions): Promise<RelayLab> {
  const pki = makeTestPki();
  const zoo: ZooServer[] = [];
  let bl: NsdBlocklist | undefined;
  const close = async () => {
    await Promise.all(zoo.map((z) => z.close()));
    await bl?.stop();
    pki.cleanup();
  };
  try {
    for (const [i, relay] of options.relays.entries()) zoo.push(await startZooServer(relay.kind, relay.address, pki.leaf(`relay${i + 1}.example.com`)));
    const { blocklist } = options;
    bl = await startNsdBlocklist(blocklist.address, blocklist.port, blocklist.zone);
    await bl.set(blocklist.listings);
    const configFile = join(pki.dir, 'mxpool.yaml');
    const resolver = options.dnsbl.resolver === 'blocklist' ? `, resolver: "${blocklist.address}:${blocklist.port}"` : '';
    writeFileSync(
      configFile,
      `zone: example.com
pools:
  - name: relays
    role: outbound
    hostname: smtp.example.com
    hosts:
${zoo.map((z, i) => `      - { name: relay${i + 1}.example.com, address: ${z.address}, port: ${z.port} }`).join('\n')}
${options.security ? `    security:\n${options.security.map((line) => `      ${line}`).join('\n')}\n` : ''}probe: ${options.probe.replace(/\s*}$/, `, caFile: ${pki.caFile} }`)}
dnsbl: { zones: [${blocklist.zone}]${resolver}, timeout: ${options.dnsbl.timeout} }
`,
    );
    return { pki, zoo, bl, configFile, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The relays' credentials, as the lab's `security.auth` names them (RELAY_USER, RELAY_PASSWORD). */
export const RELAY_ENV = { RELAY_USER: ZOO_USER, RELAY_PASSWORD: ZOO_PASSWORD };

/** The real CLI from source in a child process (killed with the test file), with extra environment. */
export function mxpoolCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    track(execFile(process.execPath, ['src/cli.ts', ...args], { timeout: 110_000, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    }));
  });
}

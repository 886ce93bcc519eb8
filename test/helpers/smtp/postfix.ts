// A real Postfix (Debian's) for tests: its own config dir, queue and data dirs in a temp dir, one
// smtpd on a loopback address, a self-signed certificate, `postfix -c DIR start-fg`. Needs root
// (Postfix's master runs as root and drops to the postfix user), as in CI.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, closeSync, existsSync, openSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '../temp-dir.ts';
import { track } from '../children.ts';

export const POSTFIX_BIN = ['/usr/sbin/postfix', '/usr/bin/postfix'].find((path) => existsSync(path));

/** Why a Postfix test cannot run here, or undefined when it can. */
export function postfixUnavailable(): string | undefined {
  if (!POSTFIX_BIN) return 'the postfix binary is not installed (apt-get install postfix; .ci/run installs it)';
  if (userInfo().uid !== 0) return 'Postfix must be started as root';
  return undefined;
}

export interface PostfixInstance {
  dir: string;
  address: string;
  port: number;
  certFile: string;
  cert: string;
  /** `postfix -c DIR stop`; resolves when the master has exited */
  stop(): Promise<void>;
  /** stop if running, remove the temp dir */
  cleanup(): Promise<void>;
}

const MASTER_CF = (address: string, port: number) => `${address}:${port} inet n - n - - smtpd
postlog   unix-dgram n  -       n       -       1       postlogd
anvil     unix  -       -       n       -       1       anvil
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
proxymap  unix  -       -       n       -       -       proxymap
scache    unix  -       -       n       -       1       scache
`;

function mainCf(dir: string, hostname: string, certFile: string, keyFile: string, options: PostfixOptions): string {
  return `compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
setgid_group = postdrop
myhostname = ${hostname}
mydestination =
# inet_interfaces must name configured interface addresses; the smtpd listener in master.cf binds
# its own loopback address explicitly
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = ${options.mynetworks ?? '127.0.0.0/8'}
smtpd_banner = $myhostname ESMTP mxpool-test
smtpd_tls_cert_file = ${certFile}
smtpd_tls_key_file = ${keyFile}
smtpd_tls_security_level = may
maillog_file = /dev/stdout
alias_maps =
alias_database =
local_recipient_maps =
biff = no
${options.mainCf ?? ''}
`;
}

export interface PostfixOptions {
  /** main.cf mynetworks (default 127.0.0.0/8: every loopback client is trusted, so it relays for them) */
  mynetworks?: string;
  /** further main.cf lines, e.g. "smtpd_relay_restrictions = permit" */
  mainCf?: string;
  /** how long to wait for the port (postfix-script's checks are slow on a loaded machine) */
  startTimeoutMs?: number;
}

/** Files in the queue's message directories: 0 means no message was ever accepted (or it was delivered and gone). */
export function queuedFiles(instance: Pick<PostfixInstance, 'dir'>): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    if (!existsSync(path)) return;
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else found.push(full);
    }
  };
  for (const queue of ['maildrop', 'incoming', 'active', 'deferred', 'hold', 'corrupt', 'bounce', 'defer']) walk(join(instance.dir, 'queue', queue));
  return found;
}

async function waitForPort(address: string, port: number, up: boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: address, port });
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`postfix at ${address}:${port} did not ${up ? 'start' : 'stop'} within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startPostfix(address: string, port: number, hostname: string, options: PostfixOptions = {}): Promise<PostfixInstance> {
  const bin = POSTFIX_BIN as string;
  const dir = tempDir('mxpool-postfix-');
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, 'queue'));
  mkdirSync(join(dir, 'data'));
  const postfixUid = Number(execFileSync('id', ['-u', 'postfix'], { encoding: 'utf8' }).trim());
  chownSync(join(dir, 'data'), postfixUid, -1);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '365', '-subj', `/CN=${hostname}`, '-addext', `subjectAltName=DNS:${hostname}`], { stdio: 'ignore' });
  writeFileSync(join(dir, 'main.cf'), mainCf(dir, hostname, certFile, keyFile, options));
  writeFileSync(join(dir, 'master.cf'), MASTER_CF(address, port));
  // a log file, not pipes: with pipes on stdout/stderr Postfix's start-fg did not come up here
  const logFile = join(dir, 'postfix.log');
  const logFd = openSync(logFile, 'w');
  const master: ChildProcess = track(spawn(bin, ['-c', dir, 'start-fg'], { stdio: ['ignore', logFd, logFd] }));
  closeSync(logFd);
  const exited = new Promise<void>((resolve) => master.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  try {
    await waitForPort(address, port, true, options.startTimeoutMs ?? 15_000);
  } catch (error) {
    master.kill('SIGTERM');
    throw new Error(`${(error as Error).message}\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
  }
  const stop = async () => {
    if (!running) return;
    execFileSync(bin, ['-c', dir, 'stop'], { stdio: 'ignore' });
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (running) master.kill('SIGKILL');
  };
  return {
    dir,
    address,
    port,
    certFile,
    cert: readFileSync(certFile, 'utf8'),
    stop,
    async cleanup() {
      await stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

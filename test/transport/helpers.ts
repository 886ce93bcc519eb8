// Real peers for the transport-security tests: STARTTLS SMTP servers (smtp-server) whose certificate
// can be replaced while they run, a `mxpool serve` child process over a given config, and the
// openssl/curl commands the tests check mxpool's records with.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { SMTPServer } from 'smtp-server';
import type { KeyPair } from '../helpers/smtp/test-ca.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { track } from '../helpers/children.ts';
import { dig as digOnce } from '../helpers/daemon.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface TlsSmtpHost {
  address: string;
  port: number;
  /** serve a new certificate (and key) from the next handshake on */
  rotate(pair: KeyPair): void;
  close(): Promise<void>;
}

export async function startTlsSmtpHost(address: string, port: number, pair: KeyPair): Promise<TlsSmtpHost> {
  const server = new SMTPServer({ key: pair.key, cert: pair.cert, disabledCommands: ['AUTH'], disableReverseLookup: true, logger: false, authOptional: true, onData(stream, _session, callback) { stream.resume(); stream.on('end', () => callback()); } });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(port, address, () => done());
  });
  server.on('error', () => undefined); // probes hang up mid-dialogue: expected
  return {
    address,
    port,
    rotate: (next) => server.updateSecureContext({ key: next.key, cert: next.cert }),
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

export function run(command: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = track(execFile(command, args, { timeout: options.timeout ?? 15_000, env: options.env ?? process.env, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
      done({ code, stdout, stderr });
    }));
    // a command that exits without reading its input (kdig, curl) closes the pipe: not an error here
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(options.input ?? '');
  });
}

/** SHA-256 of a certificate file's SubjectPublicKeyInfo, computed by openssl. */
export async function spkiSha256(certFile: string): Promise<string> {
  const { stdout } = await run('sh', ['-c', `openssl x509 -in ${certFile} -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 -r`]);
  return stdout.split(' ')[0] as string;
}

/**
 * `openssl s_client -starttls smtp` with DANE: does the host's certificate match one of the TLSA
 * records (presentation form "3 1 1 hex")? Returns openssl's verdict line.
 */
export async function daneVerify(address: string, port: number, name: string, tlsa: string[]): Promise<{ ok: boolean; output: string }> {
  const args = ['s_client', '-brief', '-starttls', 'smtp', '-connect', `${address}:${port}`, '-servername', name, '-dane_tlsa_domain', name, '-verify_return_error'];
  for (const record of tlsa) args.push('-dane_tlsa_rrdata', record);
  const { code, stdout, stderr } = await run('openssl', args, { input: 'QUIT\r\n' });
  const output = `${stdout}\n${stderr}`;
  return { ok: code === 0 && /Verification: OK/.test(output) && /DANE TLSA 3 1 1 .* matched EE certificate/.test(output), output };
}

export interface ServeProcess {
  dir: string;
  configFile: string;
  stateDir: string;
  logs(): string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** rewrite the config (between stop and start) */
  write(config: Record<string, unknown>): void;
  /** stops it (the folder goes with the test file's tempDir()s) */
  cleanup(): Promise<void>;
}

/** `mxpool serve` over `config` (stateDir and files in a temp dir), ready once /healthz answers 200. */
export function serveProcess(config: Record<string, unknown>, healthUrl: string, env: NodeJS.ProcessEnv = {}): ServeProcess {
  const dir = tempDir('mxpool-transport-');
  const configFile = join(dir, 'mxpool.yaml');
  const stateDir = join(dir, 'state');
  let child: ChildProcess | undefined;
  let stderr = '';
  const write = (next: Record<string, unknown>) => writeFileSync(configFile, stringify({ ...next, stateDir }));
  write(config);
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((done) => proc.once('exit', () => done()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    dir,
    configFile,
    stateDir,
    logs: () => stderr,
    write,
    stop,
    async start() {
      const proc = track(spawn(process.execPath, [join(ROOT, 'src/cli.ts'), 'serve', '--config', configFile, '--log-level', 'debug'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] }));
      child = proc;
      proc.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const deadline = Date.now() + 45_000; // a loaded 2-core machine takes long to load the modules
      for (;;) {
        if (proc.exitCode !== null) throw new Error(`mxpool serve exited with ${proc.exitCode}:\n${stderr.slice(-3000)}`);
        try {
          if ((await fetch(healthUrl)).ok) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) {
          await stop(); // a leaked serve keeps probing
          throw new Error(`mxpool serve not healthy within 45 s:\n${stderr.slice(-3000)}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    cleanup: stop,
  };
}

/**
 * Polls `check` every 100 ms until it returns a value (not undefined) or `ms` pass. A check that
 * throws (a dig timing out on a loaded machine) counts as "not yet"; its error ends the message.
 */
export async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Polls `probe` every 100 ms until it returns true or `ms` pass; returns every answer with the
 * moment it came back (a true answer at `at` means the condition held at or before `at`).
 */
export async function watch(what: string, ms: number, probe: () => Promise<boolean>): Promise<{ at: number; value: boolean }[]> {
  const answers: { at: number; value: boolean }[] = [];
  const deadline = Date.now() + ms;
  for (;;) {
    // a probe that throws (no answer) tells nothing either way
    const value = await probe().catch(() => undefined);
    if (value !== undefined) answers.push({ at: Date.now(), value });
    if (value) return answers;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** dig +short, asked again while it gets no answer (a loaded machine drops a query now and then). */
export function dig(server: string, port: number, name: string, type: string): Promise<string[]> {
  return until(`dig ${name} ${type} @${server}`, 20_000, () => digOnce(server, port, name, type));
}

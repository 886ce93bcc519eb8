// `npx node bench/probe/smtp-client-check.ts DIR`: the servers mxpool's probe must handle, met by
// smtp-client 0.4.0 (the npm "low level SMTP communication layer" one might expect a prober to be
// built on) and by mxpool's probeSmtp(), side by side. smtp-client is not a dependency: install it
// in a scratch folder first —
//   d=$(mktemp -d) && npm install --prefix "$d" smtp-client@0.4.0 && npx node bench/probe/smtp-client-check.ts "$d"; rm -rf "$d"
// Scripted servers on 127.12.3.1; each case bounded to 2 s. About 20 s. Prints one row per case.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { TLSSocket, createSecureContext } from 'node:tls';
import { probeSmtp } from '../../src/probe/smtp.ts';
import type { ProbeResult } from '../../src/probe/types.ts';
import { removeTempDirs, tempDir } from '../../test/helpers/temp-dir.ts';

interface Client {
  connect(o?: { timeout?: number }): Promise<string>;
  ehlo(o?: { hostname?: string; timeout?: number }): Promise<string>;
  greet(o?: { hostname?: string; timeout?: number }): Promise<string>;
  secure(o?: { timeout?: number }): Promise<void>;
  quit(o?: { timeout?: number }): Promise<string>;
  close(): Promise<void>;
  on(event: 'receive', listener: (chunk: string) => void): void;
}
const scratch = process.argv[2];
if (!scratch) throw new Error('usage: smtp-client-check.ts DIR (a folder with smtp-client installed: see the header)');
const { SMTPClient } = createRequire(join(scratch, 'node_modules', '/'))('smtp-client') as { SMTPClient: new (options: object) => Client };

const ADDRESS = '127.12.3.1';
const HELO = 'probe.example.net';
const dir = tempDir('mxpool-bench-smtp-client-');
execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '30', '-subj', '/CN=mx.example.net', '-addext', 'subjectAltName=DNS:mx.example.net'], { stdio: 'ignore' });
const secureContext = createSecureContext({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let unhandled = 0;
process.on('unhandledRejection', () => unhandled++); // smtp-client's own promises; Node would exit without this

interface Case {
  name: string;
  /** what the server does with each connection */
  serve: (socket: Socket) => void;
  /** smtp-client options beyond host and port */
  options?: object;
  /** what a prober does with smtp-client (the natural calls, with timeouts where it takes them) */
  client: (client: Client) => Promise<unknown>;
}

/** a server that answers EHLO and QUIT after the greeting it is given (written at once, or dripped) */
function smtp(socket: Socket, greeting: string, dripMs = 0): void {
  if (dripMs > 0) drip(socket, greeting, dripMs);
  else socket.write(greeting);
  socket.on('data', (data) => {
    const line = String(data);
    if (/^EHLO/i.test(line)) socket.write('250 mx.example.net\r\n');
    if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
  });
}

const cases: Case[] = [
  { name: 'multi-line greeting (220-...)', serve: (s) => smtp(s, '220-mx.example.net first\r\n220-second\r\n220 ready\r\n'), client: (c) => c.connect({ timeout: 1000 }) },
  { name: 'greeting "220" with no text (RFC 5321 4.2 allows it)', serve: (s) => smtp(s, '220\r\n'), client: (c) => c.connect({ timeout: 1000 }) },
  { name: 'silent server (accepts, never greets)', serve: () => undefined, client: (c) => c.connect({ timeout: 1000 }) },
  { name: 'slow drip: the greeting one byte per 100 ms', serve: (s) => smtp(s, '220 mx.example.net a slow greeting\r\n', 100), client: (c) => c.connect({ timeout: 1000 }) },
  { name: 'an endless greeting line (no CRLF)', serve: (s) => flood(s), client: (c) => c.connect({ timeout: 1000 }) },
  { name: 'EHLO refused (502), HELO never answered', serve: (s) => { s.write('220 mx.example.net\r\n'); s.on('data', (d) => /^EHLO/.test(String(d)) && s.write('502 5.5.1 no\r\n')); }, client: async (c) => (await c.connect({ timeout: 1000 }), c.greet({ hostname: HELO, timeout: 1000 })) },
  { name: 'STARTTLS with a reply injected before TLS', serve: (s) => startTls(s, true), client: async (c) => (await c.connect({ timeout: 1000 }), await c.ehlo({ hostname: HELO, timeout: 1000 }), await c.secure({ timeout: 1000 }), c.ehlo({ hostname: HELO, timeout: 1000 })) },
  { name: 'STARTTLS, clean: what is known of the certificate', serve: (s) => startTls(s, false), client: async (c) => (await c.connect({ timeout: 1000 }), await c.ehlo({ hostname: HELO, timeout: 1000 }), await c.secure({ timeout: 1000 }), await c.ehlo({ hostname: HELO, timeout: 1000 }), certificateApi(c)) },
  { name: 'EHLO never answered, smtp-client\'s socket idle timeout (300 ms) instead of a call timeout', options: { timeout: 300 }, serve: (s) => s.write('220 mx.example.net\r\n'), client: async (c) => (await c.connect(), c.ehlo({ hostname: HELO })) },
  { name: 'closed (FIN) before the greeting', serve: (s) => s.end(), client: (c) => c.connect({ timeout: 1000 }) },
];

function drip(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => (i < text.length && !socket.destroyed ? socket.write(text[i++] as string) : clearInterval(timer)), everyMs);
  socket.on('close', () => clearInterval(timer));
}

function flood(socket: Socket): void {
  const chunk = 'A'.repeat(1 << 16);
  const write = () => {
    while (!socket.destroyed && socket.write(chunk));
    if (!socket.destroyed) socket.once('drain', write);
  };
  write();
}

function startTls(socket: Socket, inject: boolean): void {
  socket.write('220 mx.example.net ESMTP\r\n');
  const onData = (data: Buffer) => {
    const line = String(data);
    if (/^EHLO/i.test(line)) socket.write('250-mx.example.net\r\n250 STARTTLS\r\n');
    if (/^STARTTLS/i.test(line)) {
      socket.off('data', onData);
      socket.write(`220 2.0.0 go ahead\r\n${inject ? '250 injected in plaintext\r\n' : ''}`);
      const secure = new TLSSocket(socket, { isServer: true, secureContext });
      secure.on('error', () => undefined);
      secure.on('data', (d) => {
        if (/^EHLO/i.test(String(d))) secure.write('250 mx.example.net\r\n');
        if (/^QUIT/i.test(String(d))) secure.end('221 bye\r\n');
      });
    }
  };
  socket.on('data', onData);
}

/** smtp-client's public surface for TLS: which methods exist that could tell the certificate */
function certificateApi(client: Client): string {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(client); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) for (const n of Object.getOwnPropertyNames(proto)) names.add(n);
  const tls = [...names].filter((n) => !n.startsWith('_') && /cert|peer|cipher|protocol|tls|secure/i.test(n));
  return `public TLS methods: ${tls.join(', ')} (no certificate, protocol or cipher)`;
}

function listen(onConnection: (socket: Socket) => void): Promise<{ server: Server; port: number; open: () => number }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  return new Promise((resolve) => server.listen(0, ADDRESS, () => resolve({ server, port: (server.address() as { port: number }).port, open: () => sockets.size })));
}

function outcome(promise: Promise<unknown>, ms: number): Promise<string> {
  return Promise.race([
    promise.then((value) => `ok${value === undefined ? '' : ` (${String(value)})`}`, (error: Error) => `error: ${error.message}`),
    sleep(ms).then(() => `still waiting after ${ms} ms`),
  ]);
}

const probeSays = (r: ProbeResult) => (r.ok ? `ok${r.tls ? ` — TLS ${r.tls.protocol}, ${r.tls.subject}, ${r.tls.daysLeft} days left, authorized ${r.tls.authorized}` : ''}` : `fails at ${r.stage}: ${r.reason}`);

try {
  const rows = [['case', 'smtp-client 0.4.0', 'mxpool probeSmtp()']];
  for (const c of cases) {
    const before = unhandled;
    const peer = await listen(c.serve);
    const client = new SMTPClient({ host: ADDRESS, port: peer.port, rejectUnauthorized: false, servername: 'mx.example.net', ...c.options });
    let received = 0;
    client.on('receive', (chunk) => (received += chunk.length));
    const said = await outcome(c.client(client), 2000);
    await sleep(300);
    const leftOpen = peer.open();
    await client.close().catch(() => undefined);
    await sleep(100);
    const extra = [leftOpen > 0 && !said.startsWith('ok') ? 'its socket left open (the caller must close it)' : '', received > 100_000 ? `${(received / 1048576).toFixed(1)} MiB buffered` : '', unhandled > before ? `${unhandled - before} unhandled rejection(s) on close (Node's default: the process exits)` : ''].filter(Boolean);
    const probe = await probeSmtp({ name: 'mx.example.net', address: ADDRESS, port: peer.port }, { timeoutMs: 1500, helo: HELO, starttls: 'optional', certMinDays: 0, verifyCert: false });
    rows.push([c.name, [said, ...extra].join('; '), probeSays(probe)]);
    peer.server.close();
  }
  for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
} finally {
  removeTempDirs();
  setTimeout(() => process.exit(0), 100); // smtp-client may hold sockets its timeouts left open
}

// bench/hygiene — the anchor of the relay security checks: nmap's smtp-open-relay NSE script
// (Debian nmap) and mxpool's checks on the same zoo of relays on loopback (127.17.7.x), their
// verdicts side by side, what each sent, and how long each took. Only our own loopback servers are
// ever contacted. Prints a table; see README.md for the figures and the reasons where they differ.
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { checkSecurity, type PoolChecks, type SecurityReport } from '../../src/security/check.ts';
import { makeTestPki } from '../../test/helpers/smtp/test-ca.ts';
import { startZooServer, ZOO_PASSWORD, ZOO_USER, type ZooKind, type ZooServer } from '../../test/helpers/smtp/relay-zoo.ts';
import { postfixUnavailable, queuedFiles, startPostfix, type PostfixInstance } from '../../test/helpers/smtp/postfix.ts';

interface Target {
  label: string;
  address: string;
  port: number;
  name: string;
  ca: string;
  zoo?: ZooServer;
  postfix?: PostfixInstance;
}

function nmap(address: string, port: number, trace: boolean): Promise<{ output: string; ms: number }> {
  const started = performance.now();
  const args = ['-n', '-Pn', '-sT', '-p', String(port), '--script', 'smtp-open-relay', '--script-args', 'smtp-open-relay.domain=relay-test.invalid', '-vv', ...(trace ? ['--script-trace'] : []), address];
  return new Promise((resolve, reject) => {
    execFile('nmap', args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout) => (error ? reject(error) : resolve({ output: stdout, ms: performance.now() - started })));
  });
}

/** nmap's verdict line: "Server is an open relay (16/16 tests)", "... authentication needed", ... */
function nmapVerdict(output: string): { verdict: string; relayed: string[] } {
  const lines = output.split('\n').filter((line) => line.startsWith('|'));
  const head = lines.find((line) => line.includes('smtp-open-relay:')) ?? '';
  const verdict = head.replace(/^\|_?\s*smtp-open-relay:\s*/, '').trim() || '(no output)';
  const relayed = lines.filter((line) => /MAIL FROM:<.*> -> RCPT TO:<.*>/.test(line)).map((line) => line.replace(/^\|_?\s*/, ''));
  return { verdict, relayed };
}

/**
 * The commands nmap sent, from --script-trace: "NSE: TCP a > b | <text>" lines, or the same with a
 * hex dump ("00000000: 4d 41 ...", continued on lines of their own) when the text was not printable
 * to nmap's taste.
 */
function nmapCommands(output: string): string[] {
  const sent: string[] = [];
  let hex: number[] | undefined;
  const flush = () => {
    if (hex) sent.push(Buffer.from(hex).toString('latin1').replace(/\r?\n$/, ''));
    hex = undefined;
  };
  for (const line of output.split(/\r?\n/).map((l) => l.replace(/\r/g, ''))) {
    const traced = /^NSE: TCP \S+ ([<>]) \S+ \| (.*)$/.exec(line);
    const dump = (text: string) => /^[0-9a-f]{8}: ((?:[0-9a-f]{2} )+)/.exec(text)?.[1]?.trim().split(' ').map((byte) => parseInt(byte, 16));
    if (traced) {
      flush();
      if (traced[1] !== '>') continue;
      const payload = traced[2] as string;
      if (payload === 'SEND' || payload === 'CONNECT' || payload === 'CLOSE') continue;
      const bytes = dump(payload);
      if (bytes) hex = bytes;
      else sent.push(payload.trim());
      continue;
    }
    const more = hex ? dump(line) : undefined;
    if (more) hex!.push(...more);
    else flush();
  }
  flush();
  return sent;
}

const mxpoolChecks = (withAuth: boolean): PoolChecks => ({
  pool: 'bench',
  settings: { openRelay: true, relayTestDomain: 'relay-test.invalid', authAfterStarttls: true, onFinding: 'report', interval: 600_000 },
  localSender: 'postmaster@example.com',
  ...(withAuth ? { credentials: { username: ZOO_USER, password: ZOO_PASSWORD } } : {}),
});

async function main(): Promise<void> {
  const pki = makeTestPki();
  const targets: Target[] = [];
  const kinds: ZooKind[] = ['open', 'closed', 'own-domain', 'auth-right', 'auth-before-starttls', 'auth-any-password', 'no-starttls'];
  for (const [i, kind] of kinds.entries()) {
    const name = `${kind}.zoo.test`;
    // port 25: the script runs only on 25, 465, 587 or a port nmap identified as SMTP
    const zoo = await startZooServer(kind, `127.17.7.${10 + i}`, pki.leaf(name), 25);
    targets.push({ label: `smtp-server ${kind}`, address: zoo.address, port: zoo.port, name, ca: pki.ca, zoo });
  }
  const unavailable = postfixUnavailable();
  if (unavailable === undefined) {
    const offline = 'smtpd_peername_lookup = no\ndefer_transports = smtp\nsmtp_dns_support_level = disabled';
    for (const [address, label, mynetworks] of [['127.17.7.30', 'Postfix open (mynetworks 0.0.0.0/0)', '0.0.0.0/0'], ['127.17.7.31', 'Postfix closed (defaults)', '127.17.255.254/32']] as const) {
      const postfix = await startPostfix(address, 25, `${address.replace(/\./g, '-')}.postfix.test`, { mynetworks, mainCf: offline, startTimeoutMs: 60_000 });
      targets.push({ label, address, port: 25, name: `${address.replace(/\./g, '-')}.postfix.test`, ca: postfix.cert, postfix });
    }
  } else {
    process.stdout.write(`(Postfix skipped: ${unavailable})\n`);
  }

  const rows: string[][] = [['relay', 'nmap smtp-open-relay', 'nmap ms', 'mxpool findings', 'mxpool ms', 'nmap/mxpool', 'DATA seen']];
  let trace = '';
  try {
    for (const target of targets) {
      const withAuth = target.zoo !== undefined && (target.zoo.kind.startsWith('auth') || target.zoo.kind === 'no-starttls');
      const mailsBefore = target.zoo?.record.mailFrom.length ?? 0;
      const scan = await nmap(target.address, target.port, target.zoo?.kind === 'closed');
      if (target.zoo?.kind === 'closed') {
        trace = scan.output;
        if (process.env.BENCH_TRACE) process.stdout.write(scan.output);
      }
      const nmapMails = (target.zoo?.record.mailFrom.length ?? 0) - mailsBefore;
      const { verdict, relayed } = nmapVerdict(scan.output);
      const started = performance.now();
      const report: SecurityReport = await checkSecurity({ name: target.name, address: target.address, port: target.port }, mxpoolChecks(withAuth), { probe: { timeoutMs: 5000, helo: 'probe.example.com', starttls: 'optional', certMinDays: 7, verifyCert: true, ca: target.ca } });
      const ms = performance.now() - started;
      const findings = report.error ? `error: ${report.error}` : report.findings.map((f) => f.id).join(', ') || 'none';
      const data = target.zoo ? String(target.zoo.record.dataReceived) : `${queuedFiles(target.postfix!).length} queued`;
      // the ratio: nmap is the reference (its time includes its own start-up, ~0.5 s)
      rows.push([target.label, `${verdict}${target.zoo ? ` [${nmapMails} MAIL FROM]` : ''}`, scan.ms.toFixed(0), findings, ms.toFixed(0), `${(scan.ms / ms).toFixed(1)}x`, data]);
      if (relayed.length > 0 && process.env.BENCH_VERBOSE) process.stdout.write(`${target.label}: nmap relayed ${relayed.join(' | ')}\n`);
    }
  } finally {
    await Promise.all(targets.map((t) => t.zoo?.close() ?? t.postfix?.cleanup()));
    pki.cleanup();
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const row of rows) process.stdout.write(`${row.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()}\n`);
  const commands = nmapCommands(trace);
  process.stdout.write(`\nnmap's commands to one relay (--script-trace, ${commands.length} lines):\n${commands.map((c) => `  ${c}`).join('\n')}\n`);
}

await main();

// bench/failover: how fast a failed SMTP host leaves DNS and a recovered one returns.
// Three real SMTP hosts (own processes), `mxpool serve` (its own process) at DEFAULT probe settings
// (interval 5s, timeout 3s, rise 2, fall 2, hold on), the nameserver queried every 50 ms for
// mx.example.com A. Faults: host 1 killed (SIGKILL: connection refused), host 2 blackholed (accepts,
// never answers). Reports, per fault and round: seconds from the fault to the last answer still
// naming the host, and from recovery to the first answer naming it again.
// Usage: npx node bench/failover/run.ts [--rounds N]   (default 3, at most 5; about 40 s per round)
import { startTestDaemon, type TestDaemon } from '../../test/helpers/daemon.ts';
import { queryA } from './dns-probe.ts';

const roundsArg = process.argv.indexOf('--rounds');
const ROUNDS = Math.min(5, Math.max(1, roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 3));
const SAMPLE_MS = 50;
const HOSTS = ['127.0.3.231', '127.0.3.232', '127.0.3.233'];
const DNS = { server: '127.0.3.230', port: 5399 };
const PROBE = { interval: '5s', timeout: '3s', rise: 2, fall: 2, jitter: 0.1, hold: true };

interface Sample { t: number; addresses: string[] | null }
const samples: Sample[] = [];
let sampling = true;

async function sampleLoop(): Promise<void> {
  let next = performance.now();
  while (sampling) {
    const addresses = await queryA(DNS.server, DNS.port, 'mx.example.com', 400);
    samples.push({ t: performance.now(), addresses });
    next += SAMPLE_MS;
    const wait = next - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    else next = performance.now();
  }
}

const named = (s: Sample, address: string) => s.addresses?.includes(address) === true;

/** Waits until `address` has been absent for `quietMs` of answers; returns the last sample naming it. */
async function waitGone(address: string, since: number, limitMs: number, quietMs = 1000): Promise<number> {
  const deadline = since + limitMs;
  for (;;) {
    const after = samples.filter((s) => s.t >= since);
    const lastNamed = after.filter((s) => named(s, address)).at(-1)?.t ?? since;
    const latest = after.at(-1)?.t ?? since;
    if (latest - lastNamed >= quietMs && after.some((s) => s.t > lastNamed && s.addresses !== null)) return lastNamed - since;
    if (performance.now() > deadline) throw new Error(`${address} still in DNS ${limitMs} ms after the fault`);
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
}

async function waitBack(address: string, since: number, limitMs: number): Promise<number> {
  const deadline = since + limitMs;
  for (;;) {
    const first = samples.find((s) => s.t >= since && named(s, address));
    if (first) return first.t - since;
    if (performance.now() > deadline) throw new Error(`${address} not back in DNS ${limitMs} ms after recovery`);
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
}

async function waitAllIn(): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!HOSTS.every((address) => samples.at(-1) !== undefined && named(samples.at(-1)!, address))) {
    if (performance.now() > deadline) throw new Error('the three hosts never were in DNS together');
    await new Promise((r) => setTimeout(r, SAMPLE_MS));
  }
}

const results: Record<string, { fault: number[]; recovery: number[] }> = { refused: { fault: [], recovery: [] }, blackhole: { fault: [], recovery: [] } };
let daemon: TestDaemon | undefined;
const startedAt = performance.now();
try {
  daemon = await startTestDaemon({ addresses: HOSTS, dns: `${DNS.server}:${DNS.port}`, http: `${DNS.server}:8199`, probe: PROBE, ttl: 30 });
  const loop = sampleLoop();
  await waitAllIn();
  // faults and recoveries land at a random moment of the probe interval, not in step with the probes
  const somewhereInTheInterval = () => new Promise((r) => setTimeout(r, Math.random() * 5000));
  for (let round = 1; round <= ROUNDS; round++) {
    // refused: SIGKILL host 1
    await somewhereInTheInterval();
    let t0 = performance.now();
    await daemon.hosts[0]!.kill('SIGKILL');
    results.refused!.fault.push(await waitGone(HOSTS[0]!, t0, 20_000));
    await somewhereInTheInterval(); // recoveries too: not in step with the withdrawal's probes
    t0 = performance.now();
    await daemon.hosts[0]!.restart();
    results.refused!.recovery.push(await waitBack(HOSTS[0]!, t0, 30_000));
    // blackhole: host 2 accepts and never answers
    await somewhereInTheInterval();
    t0 = performance.now();
    await daemon.hosts[1]!.blackhole();
    results.blackhole!.fault.push(await waitGone(HOSTS[1]!, t0, 30_000));
    await somewhereInTheInterval();
    t0 = performance.now();
    await daemon.hosts[1]!.smtp();
    results.blackhole!.recovery.push(await waitBack(HOSTS[1]!, t0, 30_000));
    process.stdout.write(`round ${round}: refused out ${s(results.refused!.fault.at(-1)!)} back ${s(results.refused!.recovery.at(-1)!)} | blackhole out ${s(results.blackhole!.fault.at(-1)!)} back ${s(results.blackhole!.recovery.at(-1)!)}\n`);
  }
  sampling = false;
  await loop;
} finally {
  sampling = false;
  await daemon?.close();
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}
function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `min ${s(sorted[0]!)}  mean ${s(mean)}  max ${s(sorted.at(-1)!)}`;
}
const unanswered = samples.filter((x) => x.addresses === null).length;
const empty = samples.filter((x) => x.addresses !== null && x.addresses.length === 0).length;
process.stdout.write(`
failover at default probe settings (interval 5s, timeout 3s, rise 2, fall 2, hold on), ${ROUNDS} round(s), ${samples.length} queries every ${SAMPLE_MS} ms
  fault -> last answer naming the host:
    refused (SIGKILL)   ${stats(results.refused!.fault)}    target <= 1 s
    blackhole           ${stats(results.blackhole!.fault)}    target <= interval + fall x timeout = 11 s
  recovery -> first answer naming it again:
    refused (restart)   ${stats(results.refused!.recovery)}    target <= rise x interval = 10 s
    blackhole (answers) ${stats(results.blackhole!.recovery)}    target <= rise x interval = 10 s
  queries unanswered: ${unanswered}, answers with no address: ${empty}
  wall time ${s(performance.now() - startedAt)}
`);

// bench/fleet: `mxpool audit --domains` against checkdmarc over the same 1,000 customer domains,
// served by the same NSD on loopback, in the same run: wall time and DNS queries, both counted on
// the server side (NSD's num.queries plus what the black hole received), and what each tool says
// about each seeded defect. Two lists: the goal's, N customer domains served by NSD (every one
// answers), and the same plus 4 whose DNS fails (2 delegated to a black hole, 1 lame, 1 SERVFAIL)
// where a tool that honours its timeout must wait for the dead ones.
//
//   npx node bench/fleet/run.ts [--domains 1000] [--timeout 2s] [--runs 3] [--checkdmarc PATH]
//
// checkdmarc: --checkdmarc, else $MXPOOL_CHECKDMARC (nothing outside the checkout is looked for
// on its own). Without it, only mxpool's
// figures are printed, and the bench says so.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildFleet, GENERIC_IDS, type Defect } from '../../test/helpers/fleet/zones.ts';
import { blackHole, startNsd } from '../../test/helpers/fleet/nsd.ts';
import { TENANT_IDS, writeIspConfig } from '../../test/helpers/fleet/isp-config.ts';
import { tempDir } from '../../test/helpers/temp-dir.ts';
import { checkdmarcVerdict, type CheckdmarcResult } from './verdicts.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({
  options: {
    domains: { type: 'string', default: '1000' },
    timeout: { type: 'string', default: '2s' },
    runs: { type: 'string', default: '3' },
    checkdmarc: { type: 'string' },
  },
});
const COUNT = Math.min(Math.max(Number(values.domains), 20), 10_000);
const RUNS = Math.min(Math.max(Number(values.runs), 1), 10);
const TIMEOUT_S = Number(/^(\d+(?:\.\d+)?)s$/.exec(values.timeout)?.[1] ?? 2);
const NS = '127.14.20.1';
const LAME = '127.14.20.2';
const DEAD = '127.14.20.99';

interface Run {
  seconds: number;
  /** CPU seconds of the tool's process (user + system) */
  cpu: number;
  queries: number;
}

interface MxReport {
  domains: { domain: string; findings: { id: string; severity: string }[] }[];
  summary: { queries: number };
}

function findCheckdmarc(): string | undefined {
  const candidates = [values.checkdmarc, process.env.MXPOOL_CHECKDMARC];
  return candidates.find((path): path is string => path !== undefined && existsSync(path));
}

/** Runs a command under GNU time: wall seconds, and the CPU seconds (user + system) of the process. */
function timed(file: string, args: string[]): Promise<{ code: number; seconds: number; cpu: number; stdout: string; stderr: string }> {
  const times = join(dir, 'time.txt');
  return new Promise((done) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%U %S', '-o', times, file, ...args], { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('close', (code) => {
      const [user = 0, system = 0] = (/(\d+\.\d+) (\d+\.\d+)\s*$/.exec(readFileSync(times, 'utf8'))?.slice(1) ?? []).map(Number);
      done({ code: code ?? 1, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpu: user + system, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

const FAILING = 4;
const fleet = buildFleet({ count: COUNT + FAILING, addresses: { ns: NS, lame: LAME, dead: DEAD }, dead: 2, lame: 1, servfail: 1, mtaSts: false });
const failing = new Set<Defect>(['dead', 'lame', 'servfail']);
const dir = tempDir('mxpool-bench-fleet-');
const lists = {
  answering: { file: join(dir, 'answering.txt'), domains: fleet.domains.filter((d) => !failing.has(d.defect)).map((d) => d.domain) },
  all: { file: join(dir, 'all.txt'), domains: fleet.domains.map((d) => d.domain) },
};
for (const list of Object.values(lists)) writeFileSync(list.file, `${list.domains.join('\n')}\n`);
// the ISP's config with the goal's domains as `dns: external` tenants: what each must hold
const ispConfig = writeIspConfig(dir, fleet, lists.answering.domains);
const kinds = new Map<Defect, string[]>();
for (const d of fleet.domains) kinds.set(d.defect, [...(kinds.get(d.defect) ?? []), d.domain]);
const checkdmarc = findCheckdmarc();

console.log(`bench/fleet: ${COUNT} customer domains served by NSD + ${FAILING} with failing DNS (${kinds.get('clean')?.length ?? 0} clean, ${COUNT + FAILING - (kinds.get('clean')?.length ?? 0)} with one seeded defect each), NSD on ${NS}:53, timeout ${TIMEOUT_S}s; load average ${load()}`);
if (!checkdmarc) console.log('checkdmarc: not found (give --checkdmarc PATH or $MXPOOL_CHECKDMARC): mxpool figures only');

// the product as an operator runs it: bin/mxpool.js over the compiled dist/ (built now, from this checkout)
const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);

const nsd = await startNsd({ addresses: [NS, LAME], zones: fleet.zones });
const hole = await blackHole(DEAD);
const served = async () => (await nsd.queries()) + hole.received();
const results: Record<string, { mx: Run; cd?: Run; mxReport?: MxReport; cdResults?: CheckdmarcResult[]; domains: number }> = {};
let configReport: MxReport | undefined;
let configRun: Run | undefined;
// NSD and the black hole are stopped whatever happens (a failed run must not leave NSD on port 53)
try {
  for (const [name, list] of Object.entries(lists)) {
    // mxpool: the real CLI process (start-up included), a cold cache each run
    const runs: Run[] = [];
    let mxReport: MxReport | undefined;
    for (let i = 0; i < RUNS; i++) {
      const before = await served();
      const result = await timed(process.execPath, ['bin/mxpool.js', 'audit', '--domains', list.file, '--nameserver', `${NS}:53`, '--dkim-selector', 's1', '--timeout', `${TIMEOUT_S}s`, '--format', 'json', '--log-level', 'silent']);
      if (result.code > 1) throw new Error(`mxpool audit failed (${result.code}): ${result.stderr}`);
      const queries = (await served()) - before;
      mxReport = JSON.parse(result.stdout) as MxReport;
      runs.push({ seconds: result.seconds, cpu: result.cpu, queries });
      console.log(`  ${name}: mxpool run ${i + 1}: ${result.seconds.toFixed(2)} s (CPU ${result.cpu.toFixed(2)} s), ${queries} queries at the servers (mxpool counted ${mxReport.summary.queries})`);
    }
    const entry: (typeof results)[string] = { mx: { seconds: median(runs.map((r) => r.seconds)), cpu: median(runs.map((r) => r.cpu)), queries: median(runs.map((r) => r.queries)) }, mxReport, domains: list.domains.length };
    if (checkdmarc) {
      const out = join(dir, `checkdmarc-${name}.json`);
      const before = await served();
      // --skip-tls: no SMTP connections to the MX hosts; the same timeout; its default of no retries.
      // -n and -o take lists: the domain list goes first.
      const result = await timed(checkdmarc, [list.file, '--skip-tls', '-t', String(TIMEOUT_S), '-n', NS, '-o', out]);
      if (result.code !== 0) throw new Error(`checkdmarc failed (${result.code}): ${result.stderr.slice(-2000)}`);
      entry.cd = { seconds: result.seconds, cpu: result.cpu, queries: (await served()) - before };
      entry.cdResults = JSON.parse(readFileSync(out, 'utf8')) as CheckdmarcResult[];
      console.log(`  ${name}: checkdmarc: ${entry.cd.seconds.toFixed(2)} s (CPU ${entry.cd.cpu.toFixed(2)} s), ${entry.cd.queries} queries at the servers`);
    }
    results[name] = entry;
  }
  // mxpool again, knowing what each customer must hold: audit --config --live over the goal's domains
  const runs: Run[] = [];
  for (let i = 0; i < RUNS; i++) {
    const before = await served();
    const result = await timed(process.execPath, ['bin/mxpool.js', 'audit', '--config', ispConfig, '--live', '--nameserver', `${NS}:53`, '--timeout', `${TIMEOUT_S}s`, '--format', 'json', '--log-level', 'silent']);
    if (result.code > 1) throw new Error(`mxpool audit --config --live failed (${result.code}): ${result.stderr}`);
    configReport = JSON.parse(result.stdout) as MxReport;
    runs.push({ seconds: result.seconds, cpu: result.cpu, queries: (await served()) - before });
    console.log(`  config --live: mxpool run ${i + 1}: ${result.seconds.toFixed(2)} s (CPU ${result.cpu.toFixed(2)} s), ${runs.at(-1)?.queries} queries at the servers`);
  }
  configRun = { seconds: median(runs.map((r) => r.seconds)), cpu: median(runs.map((r) => r.cpu)), queries: median(runs.map((r) => r.queries)) };
} finally {
  await hole.close();
  await nsd.stop();
}

console.log('\n| list | tool | wall time (s) | CPU time (s) | DNS queries (server side) | queries per domain | checkdmarc / mxpool |');
console.log('|---|---|---:|---:|---:|---:|---|');
for (const [name, r] of Object.entries(results)) {
  const label = name === 'all' ? `${r.domains}: the same + ${FAILING} with failing DNS` : `${r.domains} served by NSD (the goal's list)`;
  console.log(`| ${label} | mxpool audit --domains (median of ${RUNS}) | ${r.mx.seconds.toFixed(2)} | ${r.mx.cpu.toFixed(2)} | ${r.mx.queries} | ${(r.mx.queries / r.domains).toFixed(1)} | |`);
  if (r.cd) console.log(`| ${label} | checkdmarc 5.17.5 | ${r.cd.seconds.toFixed(2)} | ${r.cd.cpu.toFixed(2)} | ${r.cd.queries} | ${(r.cd.queries / r.domains).toFixed(1)} | wall x${(r.cd.seconds / r.mx.seconds).toFixed(1)}, CPU x${(r.cd.cpu / r.mx.cpu).toFixed(1)}, queries x${(r.cd.queries / r.mx.queries).toFixed(1)} |`);
}

if (configRun) {
  const d = lists.answering.domains.length + 1;
  console.log(`| ${d - 1} served + isp.test: what each must hold (\`--config isp.yaml --live\`, ${d - 1} \`dns: external\` tenants) | mxpool audit --config --live (median of ${RUNS}) | ${configRun.seconds.toFixed(2)} | ${configRun.cpu.toFixed(2)} | ${configRun.queries} | ${(configRun.queries / d).toFixed(1)} | |`);
}
const goal = results.answering;
if (goal?.cd) console.log(`\ngoal (mxpool at least 10x faster on the ${goal.domains} domains NSD serves): wall x${(goal.cd.seconds / goal.mx.seconds).toFixed(1)} — ${goal.cd.seconds / goal.mx.seconds >= 10 ? 'met' : 'NOT met'}`);

// verdicts on the seeded defects (the whole fleet's runs)
const all = results.all;
const mxById = new Map(all?.mxReport?.domains.map((d) => [d.domain, d]) ?? []);
const cdById = new Map(all?.cdResults?.map((r) => [r.domain, r]) ?? []);
const tenantById = new Map(configReport?.domains.map((d) => [d.domain, d]) ?? []);
console.log('\n| seeded defect | domains | mxpool --domains: found with the expected id | mxpool --config --live: tenant rules | checkdmarc |');
console.log('|---|---:|---|---|---|');
for (const [kind, domains] of kinds) {
  const expected = GENERIC_IDS[kind];
  const found = domains.filter((domain) => {
    const ids = new Set(mxById.get(domain)?.findings.filter((f) => f.severity !== 'info').map((f) => f.id));
    return expected.length === 0 ? ids.size === 0 : expected.every((id) => ids.has(id));
  }).length;
  const mxCell = expected.length === 0 ? `${found}/${domains.length} without error or warning` : `${found}/${domains.length} \`${expected.join('`, `')}\``;
  let cdCell = 'not run';
  if (all?.cdResults) {
    const tally = new Map<string, number>();
    for (const domain of domains) {
      const verdict = checkdmarcVerdict(kind, cdById.get(domain));
      tally.set(verdict, (tally.get(verdict) ?? 0) + 1);
    }
    cdCell = [...tally].map(([verdict, n]) => `${n}: ${verdict}`).join('; ');
  }
  // the failing domains are not in the config run's list; a tenant id is expected for the others where the config can tell
  const inConfig = domains.filter((domain) => tenantById.has(domain));
  const wanted = TENANT_IDS[kind].filter((id) => id !== 'dns-temperror');
  let tenantCell = 'not in the list';
  if (inConfig.length > 0) {
    const hit = inConfig.filter((domain) => {
      const ids = new Set(tenantById.get(domain)?.findings.filter((f) => f.id.startsWith('tenant-')).map((f) => f.id));
      return wanted.length === 0 ? ids.size === 0 : wanted.every((id) => ids.has(id));
    }).length;
    tenantCell = wanted.length === 0 ? `${hit}/${inConfig.length} no tenant finding` : `${hit}/${inConfig.length} \`${wanted.join('`, `')}\``;
  }
  console.log(`| ${kind} | ${domains.length} | ${mxCell} | ${tenantCell} | ${cdCell} |`);
}
console.log(`\nload average after: ${load()}`);

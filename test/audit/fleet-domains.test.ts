// `mxpool audit --domains` end to end against a real nameserver: NSD (Debian) on 127.14.0.1:53
// serving 300 generated customer zones with seeded defects, delegations to a black hole
// (127.14.0.99:53: never answers) and to a lame server (127.14.0.2: NSD again, which does not serve
// the child), and a zone NSD cannot load (SERVFAIL). The real CLI in a child process; every defect
// found with its id; the clean domains without any finding; DNS queries counted by NSD and by
// mxpool alike; each output format parsed back; progress on a terminal (script(1)).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFleet, GENERIC_IDS, type Fleet } from '../helpers/fleet/zones.ts';
import { blackHole, startNsd, type Nsd } from '../helpers/fleet/nsd.ts';
import { sarifViolations } from './helpers/sarif.ts';
import { runCli } from './helpers/cli.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { track } from '../helpers/children.ts';

const NS = '127.14.0.1';
const LAME = '127.14.0.2';
const DEAD = '127.14.0.99';
const COUNT = 300;
// generous: a loaded machine must not turn a slow answer into a finding; the dead servers cost it once per run
const TIMEOUT = '2s';

let fleet: Fleet;
let nsd: Nsd;
let hole: Awaited<ReturnType<typeof blackHole>>;
let dir: string;
let list: string;

beforeAll(async () => {
  fleet = buildFleet({ count: COUNT, addresses: { ns: NS, lame: LAME, dead: DEAD }, dead: 2, lame: 1, servfail: 1 });
  nsd = await startNsd({ addresses: [NS, LAME], zones: fleet.zones });
  hole = await blackHole(DEAD);
  dir = tempDir('mxpool-fleet-');
  list = join(dir, 'domains.txt');
  writeFileSync(list, ['# customers of isp.test', '', ...fleet.domains.map((d, i) => (i % 50 === 0 ? `${d.domain.toUpperCase()}.  # trailing dot, upper case` : d.domain))].join('\n'));
}, 60_000);

afterAll(async () => {
  await hole?.close();
  await nsd?.stop();
});

function run(args: string[], file = process.execPath): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    track(execFile(file, args, { timeout: 60_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TERM: 'dumb', NO_COLOR: '1' } }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    }));
  });
}

const auditArgs = (extra: string[]) => ['audit', '--domains', list, '--nameserver', `${NS}:53`, '--dkim-selector', 's1', '--timeout', TIMEOUT, '--log-level', 'silent', ...extra];
/** the real CLI in a child process */
const audit = (extra: string[]) => run(['src/cli.ts', ...auditArgs(extra)]);
/** the same command line in-process (no process start-up: the format variations) */
const auditHere = async (extra: string[]) => {
  const result = await runCli(auditArgs(extra));
  return { code: result.code, stdout: result.out, stderr: result.err };
};

interface Report {
  domain: string;
  source: string;
  findings: { id: string; severity: string; record: string; message: string; rfc: string }[];
  summary: { errors: number; warnings: number; infos: number };
}

describe('mxpool audit --domains against NSD', () => {
  let json: { generatedAt: string; domains: Report[]; summary: Record<string, number> };

  it('finds every seeded defect with its id, nothing on the clean domains; counts the queries NSD received', async () => {
    const before = await nsd.queries();
    const holeBefore = hole.received();
    const result = await audit(['--format', 'json']);
    expect(result.code, result.stderr).toBe(1);
    json = JSON.parse(result.stdout);
    expect(json.domains.map((d) => d.domain)).toEqual(fleet.domains.map((d) => d.domain));
    for (const [i, expected] of fleet.domains.entries()) {
      const report = json.domains[i] as Report;
      const ids = [...new Set(report.findings.filter((f) => f.severity !== 'info').map((f) => f.id))].sort();
      expect(ids, `${expected.domain} (${expected.defect}): ${JSON.stringify(report.findings)}`).toEqual([...GENERIC_IDS[expected.defect]].sort());
      // clean: no finding at any level, not even an info
      if (expected.defect === 'clean') expect(report.findings, expected.domain).toEqual([]);
    }
    const kinds = new Set(fleet.domains.map((d) => d.defect));
    expect(kinds.size).toBeGreaterThanOrEqual(15); // every defect kind is in the fleet
    // the reasons name what failed
    const reasonOf = (defect: string) => fleet.domains.flatMap((d, i) => (d.defect === defect ? [json.domains[i]?.findings.find((f) => f.id === 'dns-temperror')?.message] : []));
    for (const message of reasonOf('dead')) expect(message).toMatch(new RegExp(`${DEAD.replace(/\./g, '\\.')}:53: no answer within 2000 ms|every nameserver of c\\d+\\.test failed`));
    for (const message of reasonOf('lame')) expect(message).toMatch(/lame delegation: 127\.14\.0\.2:53 is a nameserver of c\d+\.test but answered without authority/);
    for (const message of reasonOf('servfail')) expect(message).toMatch(/SERVFAIL from 127\.14\.0\.1:53/);
    // summary and the query count, the same as the servers saw (NSD's counter plus the black hole's)
    const withErrors = fleet.domains.filter((d) => GENERIC_IDS[d.defect].some((id) => json.domains.find((r) => r.domain === d.domain)?.findings.some((f) => f.id === id && f.severity === 'error'))).length;
    expect(json.summary).toMatchObject({ domains: COUNT, withErrors });
    const received = (await nsd.queries()) - before + (hole.received() - holeBefore);
    expect(json.summary.queries).toBe(received);
    // one cache for the run: shared names (the ISP include, the MX hosts) asked once, not per domain;
    // a clean domain costs 6 questions of its own (TXT, MX, _dmarc, s1._domainkey, _mta-sts, _smtp._tls)
    expect(json.summary.queries).toBeLessThan(COUNT * 6 + 100);
    // a dead server costs its timeouts once: TXT and MX in parallel, twice each, then it is known dead
    expect(hole.received() - holeBefore).toBeLessThanOrEqual(2 * 2 * 2);
  });

  it('csv: one row per domain, read back by a CSV parser', async () => {
    const result = await auditHere(['--format', 'csv']);
    expect(result.code).toBe(1);
    const rows = parse(result.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(COUNT);
    for (const [i, expected] of fleet.domains.entries()) {
      const row = rows[i] as Record<string, string>;
      const report = json.domains[i] as Report;
      expect(row.domain).toBe(expected.domain);
      expect([row.errors, row.warnings, row.infos].map(Number)).toEqual([report.summary.errors, report.summary.warnings, report.summary.infos]);
      for (const id of GENERIC_IDS[expected.defect]) expect(row.ids?.split(' ')).toContain(id);
    }
  });

  it('sarif: one run with every result, the schema\'s required fields present', async () => {
    const result = await auditHere(['--format', 'sarif']);
    const log = JSON.parse(result.stdout) as Record<string, unknown> & { runs: { results: { ruleId: string; locations: { logicalLocations: { fullyQualifiedName: string }[] }[] }[] }[] };
    expect(sarifViolations(log)).toEqual([]);
    expect(log.runs).toHaveLength(1);
    const results = log.runs[0]?.results ?? [];
    expect(results).toHaveLength(json.domains.reduce((n, d) => n + d.findings.length, 0));
    const dead = fleet.domains.find((d) => d.defect === 'dead')?.domain as string;
    expect(results.some((r) => r.ruleId === 'dns-temperror' && r.locations[0]?.logicalLocations[0]?.fullyQualifiedName === `${dead}/${dead} NS`)).toBe(true);
  });

  it('text and markdown: the summary table first, then the findings per domain', async () => {
    const text = (await auditHere(['--format', 'text'])).stdout;
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^audit of 300 domain\(s\) \(live DNS\)/);
    expect(lines[2]).toMatch(/^DOMAIN\s+ERRORS\s+WARNINGS\s+INFOS\s+RULES$/);
    expect(lines.slice(3, 3 + COUNT).map((l) => l.split(/\s+/)[0])).toEqual(fleet.domains.map((d) => d.domain));
    const firstDefect = fleet.domains.find((d) => d.defect !== 'clean')?.domain as string;
    expect(text.indexOf(`== ${firstDefect}`)).toBeGreaterThan(text.indexOf(lines[3 + COUNT - 1] as string));
    const md = (await auditHere(['--format', 'markdown'])).stdout;
    expect(md).toMatch(/^### mxpool audit: 300 domain\(s\) \(live DNS\)/);
    expect(md.indexOf('| domain | errors | warnings | infos | rules |')).toBeLessThan(md.indexOf(`#### \`${firstDefect}\``));
  });

  it('--fail-on warning also fails on warnings only; a list of clean domains exits 0', async () => {
    const clean = fleet.domains.filter((d) => d.defect === 'clean').slice(0, 20).map((d) => d.domain);
    const warned = fleet.domains.find((d) => d.defect === 'dmarc-none')?.domain as string;
    const cleanList = join(dir, 'clean.txt');
    writeFileSync(cleanList, clean.join('\n'));
    const ok = await runCli(['audit', '--domains', cleanList, '--nameserver', `${NS}:53`, '--dkim-selector', 's1', '--format', 'csv']);
    expect(ok.code, ok.err).toBe(0);
    const warnList = join(dir, 'warned.txt');
    writeFileSync(warnList, [...clean, warned].join('\n'));
    const base = ['audit', '--domains', warnList, '--nameserver', `${NS}:53`, '--dkim-selector', 's1', '--format', 'json'];
    expect((await runCli(base)).code).toBe(0);
    expect((await runCli([...base, '--fail-on', 'warning'])).code).toBe(1);
  });

  it('progress on a terminal (stderr), never in the report; none without a terminal', async () => {
    const out = join(dir, 'report.json');
    const line = `'${process.execPath}' src/cli.ts audit --domains '${list}' --nameserver ${NS}:53 --dkim-selector s1 --timeout ${TIMEOUT} --concurrency 4 --format json --log-level silent > '${out}'`;
    const screen = await run(['-qfec', line, '/dev/null'], 'script');
    expect(screen.code, screen.stdout).toBe(1);
    const counts = [...screen.stdout.matchAll(/\rauditing: (\d+)\/(\d+) domains, (\d+) DNS queries/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(counts.length, screen.stdout).toBeGreaterThanOrEqual(1);
    for (const [done, total] of counts) {
      expect(total).toBe(COUNT);
      expect(done).toBeLessThanOrEqual(COUNT);
    }
    expect(screen.stdout.lastIndexOf('\r\x1b[K')).toBeGreaterThan(screen.stdout.lastIndexOf('\rauditing:'));
    const report = JSON.parse(readFileSync(out, 'utf8')) as { summary: { domains: number } };
    expect(report.summary.domains).toBe(COUNT);
    const piped = await run(['src/cli.ts', 'audit', '--domains', join(dir, 'clean.txt'), '--nameserver', `${NS}:53`, '--format', 'csv']);
    expect(piped.stderr).not.toMatch(/auditing/);
  });

  it('a --nameserver that answers nothing: every domain a temperror naming it, after two rounds of timeouts, not one per question', async () => {
    const before = hole.received();
    // 300 domains ask ~1,800 questions: without giving up on the silent server each would wait its timeout
    const result = await runCli(['audit', '--domains', list, '--nameserver', `${DEAD}:53`, '--timeout', '1s', '--concurrency', '8', '--format', 'json']);
    expect(result.code, result.err).toBe(1);
    const report = JSON.parse(result.out) as { domains: Report[]; summary: { domains: number } };
    expect(report.summary.domains).toBe(COUNT);
    for (const domain of report.domains) expect(domain.findings.map((f) => f.id), domain.domain).toContain('dns-temperror');
    const reasons = report.domains.flatMap((d) => d.findings.filter((f) => f.id === 'dns-temperror').map((f) => f.message));
    expect(reasons.some((r) => r.includes(`the nameserver ${DEAD}:53 answered none of the last 16 questions`)), reasons.slice(0, 3).join('\n')).toBe(true);
    // 16 questions in a row condemn it (2 x concurrency 8), each sent twice; a few more run into the
    // pause and at most a handful of one-question probes follow (one per timeout)
    const sent = hole.received() - before;
    expect(sent).toBeGreaterThanOrEqual(16);
    expect(sent).toBeLessThan(2 * (16 + 8) + 2 * 20);
  });

  it('invalid input is a usage error (exit 2) naming FILE:LINE', async () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, `c0001.test\nnot a domain\n# fine\nexa_mple..test\n${'x'.repeat(2000)}\n-bad-.test\n`);
    const result = await runCli(['audit', '--domains', bad, '--nameserver', `${NS}:53`]);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toContain(`${bad}:2: "not a domain": one domain a line`);
    expect(result.err).toContain(`${bad}:4: "exa_mple..test" is not a domain name`);
    expect(result.err).toContain(`${bad}:5: line longer than 1024 characters`);
    expect(result.err).toContain(`${bad}:6: "-bad-.test" is not a domain name`);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '# nothing\n\n');
    const none = await runCli(['audit', '--domains', empty]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(/lists no domain/);
    expect((await runCli(['audit', '--domains', join(dir, 'missing.txt')])).code).toBe(2);
    expect((await runCli(['audit', '--domains', list, '--domain', 'c0001.test'])).code).toBe(2);
    expect((await runCli(['audit', '--domains', list, '--concurrency', '0'])).code).toBe(2);
    expect((await runCli(['audit', '--domains', list, '--timeout', 'soon'])).code).toBe(2);
  });
});

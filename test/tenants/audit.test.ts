// `audit --config F [--zone Z]` over every zone a config publishes: one report per domain in the
// report of many domains (JSON/SARIF hold them all), each tenant's SPF checked to pass for every
// outbound address (through auth.spf.sharedName, resolved from the top-level zone) and its MX
// against its pools, by the tenant rules over the desired records. The CLI runs as a child process.
import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { auditConfigZones } from '../../src/audit/tenant-audit.ts';
import { tempDir } from '../helpers/temp-dir.ts';
import { ispConfig, ISP_YAML } from './fixtures.ts';

const run = promisify(execFile);
const YAML = `${ISP_YAML}  - zone: own-spf.example
    mx: [{ pool: inbound }]
    spf: { include: [spf.mailer.example], all: "-all" }
`;

function configFile(text = YAML): string {
  const file = join(tempDir('mxpool-tenant-audit-'), 'isp.yaml');
  writeFileSync(file, text);
  return file;
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['src/cli.ts', 'audit', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('audit over every zone of a config', () => {
  it('one report per zone; a tenant SPF without the shared include fails for each outbound address', async () => {
    const reports = (await auditConfigZones(ispConfig(YAML), { now: Date.parse('2026-12-01T00:00:00Z') })) ?? [];
    expect(reports.map((r) => r.domain)).toEqual(['isp.example', 'customer1.example', 'customer2.example', 'backup-only.example', 'sub.unrelated.example', 'own-spf.example']);
    const ids = (domain: string) => reports.find((r) => r.domain === domain)?.findings.map((f) => f.id) ?? [];
    expect(ids('customer1.example')).not.toContain('tenant-spf-not-authorised');
    expect(ids('customer1.example')).not.toContain('tenant-mx-elsewhere');
    expect(ids('customer1.example')).not.toContain('tenant-dkim-missing');
    const own = reports.find((r) => r.domain === 'own-spf.example');
    expect(own?.findings.filter((f) => f.id === 'tenant-spf-not-authorised').map((f) => f.message)).toEqual([expect.stringMatching(/^2 of 2 outbound address\(es\) do not pass: 192\.0\.2\.21 \(\w+\), 192\.0\.2\.22 \(\w+\)/)]);
    // the rules about the operator's own pools and relays are reported once, in the top-level zone
    expect(reports.slice(1).every((r) => r.findings.every((f) => !f.id.startsWith('ptr-') && !f.id.startsWith('pool-address') && f.id !== 'pool-ttl-too-long'))).toBe(true);
  });

  it('mxpool audit --config: the report of many domains in JSON, exit 1 on the tenant error; SARIF holds every domain', async () => {
    const file = configFile();
    const json = await cli('--config', file, '--format', 'json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout) as { generatedAt: string; domains: { domain: string; summary: { errors: number } }[]; summary: Record<string, number> };
    expect(report.domains.map((d) => d.domain)).toHaveLength(6);
    expect(report.summary).toMatchObject({ domains: 6, withErrors: expect.any(Number) });
    expect(report.domains.find((d) => d.domain === 'own-spf.example')?.summary.errors).toBeGreaterThanOrEqual(1);
    const sarif = JSON.parse((await cli('--config', file, '--format', 'sarif')).stdout) as { runs: { results: { locations?: unknown[]; message: { text: string } }[] }[] };
    const text = JSON.stringify(sarif);
    for (const domain of ['isp.example', 'customer1.example', 'own-spf.example']) expect(text).toContain(domain);
  }, 90_000); // CLI processes, each loading the sources: tens of seconds on a loaded machine

  it('--zone audits one zone (the plain single-domain report); a zone the config lacks is a usage error', async () => {
    const file = configFile();
    const one = await cli('--config', file, '--zone', 'Backup-Only.Example.', '--format', 'json');
    const report = JSON.parse(one.stdout) as { domain: string; findings: { id: string; severity: string }[] };
    expect(report.domain).toBe('backup-only.example');
    // its SPF includes the ISP's senders, so it sends mail: no DMARC is an error (exit 1)
    expect(report.findings.filter((f) => f.severity === 'error').map((f) => f.id)).toEqual(['dmarc-missing']);
    expect(one.code).toBe(1);
    const missing = await cli('--config', file, '--zone', 'nope.example');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--zone nope\.example is not a zone of/);
    expect((await cli('--domain', 'example.com', '--zone', 'x.example')).code).toBe(2);
  }, 90_000);
});

// The serve audit of the zone as published against the policy its own server hands out: the
// _mta-sts id must be the digest of that text (mta-sts-id-stale) and the text must name every MX
// host (mta-sts-mx-not-covered). The two drift apart when the zone and the policy server disagree,
// e.g. a zone kept from before a policy change.
import { describe, expect, it } from 'vitest';
import { desired } from '../../src/desired.ts';
import { auditPublished } from '../../src/audit/desired-audit.ts';
import { mtaStsPolicy, policyId } from '../../src/auth/mta-sts.ts';
import type { TransportSources } from '../../src/audit/transport-sources.ts';
import { health } from '../desired/fixtures.ts';
import { STS, transportConfig } from './fixtures.ts';

const NOW = Date.UTC(2026, 11, 1, 12);
const cfg = transportConfig(STS);
const served = (text: string): TransportSources => ({
  fetchPolicy: async () => ({ status: 'ok', text }),
  presentedKeys: async (host) => ({ status: 'unknown', reason: `${host}: not probed here` }),
});

async function findings(text: string) {
  const zone = desired(cfg, health(cfg), { serial: 1, now: NOW });
  const report = await auditPublished(cfg, zone.sets, health(cfg), { now: NOW, transport: served(text) });
  return report.findings.filter((f) => /^(mta-sts|tls-rpt)-/.test(f.id));
}

describe('serve audit: the published _mta-sts record against the policy served', () => {
  const policy = mtaStsPolicy(cfg);
  if (!policy) throw new Error('the fixture config has auth.mtaSts');

  it('the id of the text served and every MX host named: no finding', async () => {
    expect(await findings(policy.text)).toEqual([]);
  });

  it('a policy server handing out another text than the id names: mta-sts-id-stale', async () => {
    const other = policy.text.replace('mode: enforce', 'mode: testing');
    const found = await findings(other);
    expect(found.map((f) => f.id)).toEqual(['mta-sts-id-stale']);
    expect(found[0]?.message).toBe(`id ${policy.id}, but the policy served has id ${policyId(other)}`);
    expect(found[0]?.severity).toBe('error');
  });

  it('a policy served without an MX host: mta-sts-mx-not-covered for that host, and the id is stale', async () => {
    const older = policy.text.replace('mx: mx3.example.com\r\n', '');
    expect(older).not.toBe(policy.text);
    const found = await findings(older);
    expect(found.map((f) => `${f.id} ${f.record}`).sort()).toEqual(['mta-sts-id-stale _mta-sts.example.com TXT "v=STSv1; id=' + policy.id + '"', 'mta-sts-mx-not-covered example.com MX "mx3.example.com"'].sort());
  });
});

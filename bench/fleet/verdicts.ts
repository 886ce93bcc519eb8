// What checkdmarc's JSON says about a seeded defect, in a few words, so the bench can set it beside
// mxpool's rule ids. Read from its documented output keys (spf, dmarc, mx, ns, soa: valid, error,
// warnings). checkdmarc checks no DKIM (selectors are not in its input) and knows nothing of what a
// domain should hold (the ISP's include, its MX hosts, its keys).
import type { Defect } from '../../test/helpers/fleet/zones.ts';

interface Part {
  valid?: boolean;
  error?: string;
  warnings?: string[];
}

export interface CheckdmarcResult {
  domain: string;
  spf?: Part;
  dmarc?: Part;
  mx?: Part;
  ns?: Part;
  soa?: Part;
}

const text = (part: Part | undefined) => [part?.error ?? '', ...(part?.warnings ?? [])].join(' | ');
/** Warnings every domain gets here (no PTR for the MX hosts' loopback addresses): not about the defect. */
const noise = (warning: string) => /does not have any reverse DNS \(PTR\) records/.test(warning);

export function checkdmarcVerdict(kind: Defect, result: CheckdmarcResult | undefined): string {
  if (!result) return 'no result';
  const spf = text(result.spf);
  const dmarc = text(result.dmarc);
  const mx = text(result.mx);
  const failed = [spf, dmarc, mx, text(result.ns)].some((t) => /SERVFAIL|timed out|timeout|lifetime expired|All nameservers failed/i.test(t));
  switch (kind) {
    case 'clean': {
      const complaints = [result.spf, result.dmarc, result.mx].some((p) => p?.valid === false || (p?.warnings ?? []).some((w) => !noise(w)));
      return complaints ? 'flags something' : 'nothing (PTR warnings aside)';
    }
    case 'spf-none':
      return /SPF record does not exist/i.test(spf) ? 'error: no SPF record' : 'missed';
    case 'include-gone':
      return result.spf?.valid === false ? 'error' : /old-isp/.test(spf) ? 'warning only (SPF "valid")' : 'missed';
    case 'eleven-lookups':
      return /maximum DNS lookups/i.test(spf) && result.spf?.valid === false ? 'error: too many lookups' : 'missed';
    case 'mx-dangling':
      return /mail\.gone\.test/.test(mx) ? 'MX warning' : 'missed';
    case 'dmarc-missing':
      return /DMARC record does not exist/i.test(dmarc) ? 'error: no DMARC record' : 'missed';
    case 'dmarc-none':
      return /value of none/i.test(dmarc) ? 'warning: p=none' : 'missed';
    case 'dkim-missing':
    case 'dkim-revoked':
    case 'dkim-stale':
      return 'not checked (no DKIM checks)';
    case 'spf-no-isp':
    case 'mx-elsewhere':
      return 'not checked (needs what the domain should hold)';
    case 'dead':
    case 'lame':
    case 'servfail':
      if (failed) return 'error: DNS failure';
      if (/does not exist/i.test(spf) && /does not exist/i.test(dmarc)) return 'misread: "SPF and DMARC do not exist"';
      return 'missed';
  }
}

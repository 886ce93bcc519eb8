// PTR rules: every outbound address has a reverse name that resolves back to it (forward-
// confirmed reverse DNS, "iprev" in RFC 8601 3). Gmail and Yahoo reject mail from addresses without it.
import { FAMILY_BITS, formatAddress, parseAddress } from '../../auth/ip.ts';
import { parseSpf } from '../../auth/spf-syntax.ts';
import { ownName, spfFacts } from '../facts.ts';
import { recordsOf, type Answer } from '../resolver.ts';
import { recordLabel, type AuditContext, type Hit, type Rule } from '../types.ts';

type PtrRule = Omit<Rule, 'family'>;

interface PtrFacts {
  address: string;
  reverse: string;
  ptr: Answer<string>;
  /** name -> its addresses (A or AAAA by family) */
  forward: { name: string; answer: Answer<string> }[];
}

/** Outbound addresses: the config's outbound hosts that may send, else the addresses of small blocks in the domain's own SPF. */
export async function outboundAddresses(context: AuditContext): Promise<string[]> {
  // the ISP's relays are the top-level zone's: a tenant audit checks their SPF pass (tenant rules), not their PTR again
  if (context.tenant) return [];
  if (context.config) {
    const addresses = new Set<string>();
    for (const pool of context.config.pools) {
      if (pool.role !== 'outbound') continue;
      for (const host of pool.hosts) {
        const state = context.health?.get(host.name)?.state;
        if (state ? state !== 'disabled' : !host.disabled) addresses.add(host.address.toLowerCase());
      }
    }
    return [...addresses];
  }
  const { tree } = await spfFacts(context);
  const addresses = tree.records
    .filter((record) => ownName(context, record.name))
    .flatMap((record) => parseSpf(record.text).terms)
    .flatMap((term) => (term.kind === 'mechanism' && term.network ? smallBlock(term.network, (term.cidr4 ?? term.cidr6) as number) : []));
  return [...new Set(addresses)];
}

/** The addresses of a block of at most 16 (mxpool aggregates relays into such blocks); none for bigger blocks. */
function smallBlock(network: string, prefix: number): string[] {
  const parsed = parseAddress(network);
  if (!parsed) return [];
  const hostBits = FAMILY_BITS[parsed.family] - prefix;
  if (hostBits > 4) return [];
  const first = (parsed.value >> BigInt(hostBits)) << BigInt(hostBits);
  return Array.from({ length: 2 ** hostBits }, (_, i) => formatAddress(parsed.family, first + BigInt(i)));
}

function ptrFacts(context: AuditContext): Promise<PtrFacts[]> {
  return context.memo('ptr', async () => {
    const facts: PtrFacts[] = [];
    for (const address of await outboundAddresses(context)) {
      const parsed = parseAddress(address);
      if (!parsed) continue;
      const ptr = await context.resolver.ptr(address);
      const forward = [];
      for (const name of recordsOf(ptr).slice(0, 10)) {
        forward.push({ name, answer: parsed.family === 4 ? await context.resolver.a(name) : await context.resolver.aaaa(name) });
      }
      facts.push({ address, reverse: address, ptr, forward });
    }
    return facts;
  });
}

const ptrLabel = (address: string, name?: string) => recordLabel(address, 'PTR', name);

function each(pick: (f: PtrFacts) => Hit | undefined) {
  return async (context: AuditContext): Promise<Hit[]> => (await ptrFacts(context)).flatMap((f) => pick(f) ?? []);
}

export const ptrRules: PtrRule[] = [
  {
    id: 'ptr-missing',
    severity: 'error',
    rfc: { rfc: 8601, section: '3' },
    title: 'An outbound address has no PTR record: large receivers (Gmail, Yahoo) reject or junk its mail',
    fix: 'Ask the owner of the address block to set a PTR to the relay\'s host name',
    check: each((f) => (f.ptr.status === 'nxdomain' || f.ptr.status === 'nodata' ? { record: ptrLabel(f.address), message: `${f.address} has no reverse name` } : undefined)),
  },
  {
    id: 'ptr-not-forward-confirmed',
    severity: 'error',
    rfc: { rfc: 8601, section: '3' },
    title: 'The PTR name of an outbound address does not resolve back to that address',
    fix: 'Give the PTR name an A/AAAA record with the address (or change the PTR)',
    check: each((f) => {
      if (f.ptr.status !== 'ok' || f.forward.length === 0) return undefined;
      const target = f.address;
      const confirmed = f.forward.some((fw) => recordsOf(fw.answer).some((a) => a.toLowerCase() === target || parseAddress(a)?.value === parseAddress(target)?.value));
      const unknown = f.forward.every((fw) => fw.answer.status === 'unresolvable' || fw.answer.status === 'temperror');
      if (confirmed || unknown) return undefined;
      return { record: ptrLabel(f.address, f.forward.map((fw) => fw.name).join(', ')), message: f.forward.map((fw) => `${fw.name} -> ${recordsOf(fw.answer).join(', ') || 'no address'}`).join('; ') };
    }),
  },
  {
    id: 'ptr-lookup-failed',
    severity: 'warning',
    rfc: { rfc: 8601, section: '3' },
    title: 'A reverse lookup failed (SERVFAIL, timeout): receivers see a temporary iprev error',
    fix: 'Check the reverse zone\'s nameservers',
    check: each((f) => (f.ptr.status === 'temperror' ? { record: ptrLabel(f.address), message: f.ptr.reason } : undefined)),
  },
  {
    id: 'ptr-unchecked',
    severity: 'info',
    rfc: { rfc: 8601, section: '3' },
    title: 'The reverse name of an outbound address could not be looked up here (no nameserver for it)',
    fix: 'Audit live with a recursive --nameserver to check reverse DNS',
    check: each((f) => (f.ptr.status === 'unresolvable' ? { record: ptrLabel(f.address), message: f.ptr.reason } : undefined)),
  },
];

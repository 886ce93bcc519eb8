// Pool-consistency rules: what the DNS says against what the pools hold. Every active outbound
// address must get SPF "pass" (evaluated by mailauth over the zone under audit); no address may be
// authorised that no pool holds; the MX targets must be the healthy inbound hosts; pool TTLs must
// be short enough for failover. (MTA-STS and TLS-RPT presence: rules/mta-sts.ts, rules/tls-rpt.ts.)
import { FAMILY_BITS, inNetwork, parseAddress } from '../../auth/ip.ts';
import type { Mechanism } from '../../auth/spf-syntax.ts';
import { ownName, spfFacts, spfLabel } from '../facts.ts';
import { recordsOf } from '../resolver.ts';
import { evaluateSpf } from '../spf/evaluate.ts';
import { recordLabel, type AuditContext, type Hit, type Rule } from '../types.ts';
import { outboundAddresses } from './ptr.ts';

type PoolRule = Omit<Rule, 'family'>;

/** TTL above which a withdrawn host keeps receiving traffic for too long after failing. */
export const MAX_POOL_TTL = 300;

function healthyInbound(context: AuditContext, pool: NonNullable<AuditContext['config']>['pools'][number]): string[] {
  return pool.hosts
    .filter((host) => {
      const state = context.health?.get(host.name)?.state;
      return state ? state === 'healthy' : !host.disabled;
    })
    .map((host) => host.address.toLowerCase());
}

export const poolRules: PoolRule[] = [
  {
    id: 'pool-address-not-authorised',
    severity: 'error',
    rfc: { rfc: 7208, section: '2.6.1' },
    title: 'An outbound relay does not get SPF "pass": its mail fails SPF at receivers',
    fix: 'Let mxpool write the SPF record (auth.spf), or add the address to it',
    async check(context) {
      if (!context.config || context.tenant) return []; // a tenant zone has the tenant rules
      const hits: Hit[] = [];
      const { top } = await spfFacts(context);
      for (const address of await outboundAddresses(context)) {
        const verdict = await evaluateSpf(context.resolver, { ip: address, sender: `postmaster@${context.domain}`, helo: context.domain });
        if (verdict.result !== 'pass') hits.push({ record: spfLabel(context.domain, top.status === 'found' ? top.text : undefined), message: `${address}: SPF ${verdict.result} (${verdict.comment})` });
      }
      return hits;
    },
  },
  {
    id: 'pool-stale-authorisation',
    severity: 'warning',
    rfc: { rfc: 7208, section: '5.6' },
    title: 'The SPF record authorises addresses that no pool holds (a removed relay, a stale block)',
    fix: 'Remove them (mxpool does after the grace period), or list them in auth.spf.extra if they are other senders',
    async check(context) {
      if (!context.config || context.tenant) return []; // a tenant zone has the tenant rules
      const retired = (context.retired ?? []).filter((r) => r.until > context.now).map((r) => r.address);
      const held = [...context.config.pools.flatMap((pool) => pool.hosts.map((host) => host.address)), ...retired].map(parseAddress).filter((a) => a !== undefined);
      const heldText = new Set(held.map((a) => `${a.family}:${a.value}`));
      const extras = new Set((context.config.auth.spf?.extra ?? []).map((term) => term.replace(/^\+/, '').toLowerCase()));
      const { tree } = await spfFacts(context);
      const hits: Hit[] = [];
      for (const record of tree.records.filter((r) => ownName(context, r.name))) {
        for (const term of record.terms) {
          if (term.kind !== 'mechanism' || !term.network || term.qualifier !== '+') continue;
          if (extras.has(term.text.replace(/^\+/, '').toLowerCase())) continue;
          const network = parseAddress(term.network);
          if (!network) continue;
          const prefix = (network.family === 4 ? term.cidr4 : term.cidr6) as number;
          const size = 2n ** BigInt(FAMILY_BITS[network.family] - prefix);
          const inside = [...heldText].filter((key) => {
            const [family, value] = key.split(':') as [string, string];
            return Number(family) === network.family && inNetwork({ family: network.family, value: BigInt(value) }, network, prefix);
          }).length;
          if (BigInt(inside) < size) hits.push({ record: spfLabel(record.name, record.text), message: `"${(term as Mechanism).text}" covers ${size} address(es), ${inside} of them held by a pool` });
        }
      }
      return hits;
    },
  },
  {
    id: 'pool-mx-mismatch',
    severity: 'error',
    rfc: { rfc: 5321, section: '5.1' },
    title: 'The MX targets do not resolve to exactly the healthy hosts of the inbound pool',
    fix: 'Let mxpool publish the pool\'s MX and A/AAAA records; check that nothing else edits them',
    async check(context) {
      if (!context.config || context.tenant) return []; // a tenant zone has the tenant rules
      const hits: Hit[] = [];
      for (const pool of context.config.pools) {
        if (pool.role !== 'inbound' || !pool.mx) continue;
        const healthy = healthyInbound(context, pool);
        if (healthy.length === 0) continue; // whenAllDown decides what is published; not a mismatch
        const answer = await context.resolver.mx(pool.mx.name);
        if (answer.status === 'temperror' || answer.status === 'unresolvable') continue;
        const published = new Set<string>();
        for (const mx of recordsOf(answer)) {
          for (const lookup of [context.resolver.a(mx.exchange), context.resolver.aaaa(mx.exchange)]) for (const a of recordsOf(await lookup)) published.add(a.toLowerCase());
        }
        const poolAddresses = new Set(pool.hosts.map((h) => h.address.toLowerCase()));
        let missing = healthy.filter((a) => !published.has(a));
        let extra = [...published].filter((a) => poolAddresses.has(a) && !healthy.includes(a));
        if (context.source === 'live' && !context.health) {
          // live DNS without the probes' health (audit --config --live): serve withdraws unhealthy hosts,
          // so only an MX that reaches none of the pool, or a host disabled in the config, is wrong
          if (missing.length < healthy.length) missing = [];
          extra = extra.filter((a) => pool.hosts.some((h) => h.disabled && h.address.toLowerCase() === a));
        }
        const label = recordLabel(pool.mx.name, 'MX');
        if (missing.length > 0) hits.push({ record: label, message: `pool ${pool.name}: healthy host address(es) not reachable through MX: ${missing.join(', ')}` });
        if (extra.length > 0) hits.push({ record: label, message: `pool ${pool.name}: MX leads to host address(es) that are not healthy: ${extra.join(', ')}` });
      }
      return hits;
    },
  },
  {
    id: 'pool-ttl-too-long',
    severity: 'warning',
    rfc: { rfc: 1035, section: '3.2.1' },
    title: `Pool records have a TTL over ${MAX_POOL_TTL} s: resolvers keep sending to a failed host that long`,
    fix: 'Lower ttl in the config (30 s is the default)',
    async check(context) {
      if (!context.config || context.tenant) return []; // a tenant zone has the tenant rules
      const hits: Hit[] = [];
      for (const pool of context.config.pools) {
        const names = pool.hostname ? [pool.hostname] : pool.hosts.map((h) => h.name);
        for (const name of names) {
          for (const [type, answer] of [['A', await context.resolver.a(name)], ['AAAA', await context.resolver.aaaa(name)]] as const) {
            if (answer.status === 'ok' && answer.ttl !== undefined && answer.ttl > MAX_POOL_TTL) hits.push({ record: recordLabel(name, type), message: `TTL ${answer.ttl} s` });
          }
        }
      }
      return hits;
    },
  },
];

// The one config schema: validator, TypeScript type and defaults in one place (DESIGN.md rule 8).
// Field-level rules live on the fields (src/config/fields.ts); rules that relate several fields live
// in src/config/rules.ts so every error carries the path of the key that is wrong. The descriptions
// end up in config/mxpool.schema.json (npm run schema), which editors show on hover.
import { z } from 'zod';
import { isIP } from 'node:net';
import { anyCase, boolean, cronExpression, decimal, dnsName, duration, envVarName, httpUrl, integer, ipAddress, listenAddress, parseHostPort, port } from './fields.ts';
import { crossFieldRules } from './rules.ts';
import { clusterSchema } from './cluster.ts';
import { daneSchema, mtaStsSchema, tlsRptSchema } from './transport.ts';

export { dnsName, duration, listenAddress, parseHostPort } from './fields.ts';

export const hostSchema = z.strictObject({
  name: dnsName.describe('the host\'s DNS name, inside zone; mxpool publishes its A/AAAA record and names it in MX'),
  address: ipAddress.describe('IPv4 or IPv6 address the probe connects to and DNS publishes'),
  port: port.default(25).describe('SMTP port the probe connects to'),
  weight: integer('a weight', 0, 255).default(1).describe('relative share of first place in answers, 0..255 (the Route 53 range); 0 = backup, published only when no host with a weight is'),
  /** an operator's long-term switch: out of DNS at once, out of SPF after twice the TTL */
  disabled: boolean.default(false).describe('true: out of DNS at once, out of SPF after twice the TTL (state "disabled")'),
}, { error: 'a host mapping such as { name: mx1.example.com, address: 192.0.2.10 }' });

// Relay security checks beside the probe (src/security/): all off unless asked for.
export const securitySchema = z.strictObject({
  openRelay: boolean.default(false).describe('MAIL FROM and RCPT TO a foreign domain without AUTH (never DATA): a 2xx for the RCPT is finding smtp-open-relay'),
  relayTestDomain: dnsName.default('relay-test.invalid').describe('the foreign domain of the relay tests (relay-test@<it>); never a domain your hosts serve'),
  authAfterStarttls: boolean.default(false).describe('AUTH must not be offered before STARTTLS, and relaying for a sender of the zone without AUTH must be refused'),
  auth: z
    .strictObject({
      usernameEnv: envVarName.describe('name of the environment variable holding the user name'),
      passwordEnv: envVarName.describe('name of the environment variable holding the password'),
    }, { error: 'a mapping { usernameEnv, passwordEnv }' })
    .optional()
    .describe('after STARTTLS, log in with these credentials (must get 235) and with a wrong password (must be refused)'),
  onFinding: z.enum(['report', 'withdraw'], { error: 'report or withdraw' }).default('report').describe('report: only report findings; withdraw: out of DNS (outbound: still in SPF) until a clean check'),
  interval: duration.prefault('10m').describe('time between security checks of one host (each wrong-password test counts as a failed login at the relay); a check that could not finish is retried after 1m, 2m, 4m, ... up to this'),
}, { error: 'a mapping of security checks (openRelay:, authAfterStarttls:, auth:, ...)' });

export const poolSchema = z.strictObject({
  name: z
    .string({ error: 'a pool name of letters, digits, - and _' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, { error: 'a pool name of letters, digits, - and _' })
    .describe('pool name, unique; used in logs, metrics and the HTTP API'),
  role: z.enum(['inbound', 'outbound'], { error: 'inbound (an MX pool) or outbound (a relay pool)' }).describe('inbound: an MX pool; outbound: a relay pool whose addresses go into SPF'),
  mx: z
    .strictObject({
      name: dnsName.describe('owner of the MX records, usually the zone apex'),
      preference: integer('an MX preference', 0, 65535).default(10).describe('MX preference of every host in this pool (lower is tried first)'),
    }, { error: 'a mapping { name, preference }' })
    .optional()
    .describe('inbound pools only (required there): the MX owner name and preference'),
  hostname: dnsName.optional().describe('one shared name for the pool (e.g. smtp.example.com) whose A/AAAA are its healthy hosts, weighted; each host keeps its own A/AAAA, and MX names the hosts'),
  hosts: z.array(hostSchema, { error: 'a list of hosts' }).min(1, { error: 'at least one host' }).describe('the SMTP hosts of this pool'),
  whenAllDown: z.enum(['all', 'last-known-good', 'none'], { error: 'all, last-known-good or none' }).default('all').describe('what to publish when fewer than minHealthy hosts are healthy: every enabled host, the last healthy set, or nothing'),
  minHealthy: integer('a number of hosts', 0).default(1).describe('fewer healthy hosts than this counts as "all down" (whenAllDown applies)'),
  security: securitySchema.optional().describe('relay security checks of this pool\'s hosts (open relay, AUTH before STARTTLS, credentials), every interval'),
}, { error: 'a pool mapping with name:, role: and hosts:' });

export const probeSchema = z.strictObject({
  interval: duration.prefault('5s').describe('time between probes of one host, e.g. 500ms, 10s, 2m'),
  timeout: duration.prefault('3s').describe('a probe that takes longer fails; must be shorter than interval'),
  jitter: decimal('a fraction of the interval', 0, 0.5).default(0.1).describe('random spread of probe start times, as a fraction of interval (0..0.5)'),
  schedule: cronExpression.optional().describe('optional cron expression; when set, probe rounds run on it instead of every interval'),
  rise: integer('a count of probes', 1).default(2).describe('consecutive successes before an unhealthy host is healthy again'),
  fall: integer('a count of probes', 1).default(2).describe('consecutive failures before a healthy host is withdrawn'),
  helo: dnsName.optional().describe('name sent in EHLO; default: this machine\'s name when fully qualified, else mxpool.<zone>'),
  starttls: z.enum(['required', 'optional', 'off'], { error: 'required, optional or off' }).default('optional').describe('required: fail without STARTTLS; optional: use it when offered; off: never'),
  certMinDays: decimal('a number of days', 0).default(7).describe('a certificate expiring sooner than this fails the probe'),
  hold: boolean.default(true).describe('keep one idle SMTP session per host; its loss triggers a probe at once'),
  caFile: z.string({ error: 'a path to a PEM file' }).min(1, { error: 'a path to a PEM file' }).optional().describe('also trust this CA (PEM); system CAs and NODE_EXTRA_CA_CERTS always count'),
  verifyCert: boolean.default(true).describe('false: a bad chain or name is reported but does not fail the probe'),
  concurrency: integer('a number of probes at once', 1, 10000).default(64).describe('at most this many probes run at the same time'),
  sourceAddress: ipAddress.optional().describe('the local address probes and held sessions connect from (an address of this machine); default: chosen by the routing table'),
}, { error: 'a mapping of probe settings (interval:, timeout:, ...)' });

const spfTerm = z
  .string({ error: 'an SPF term such as ip4:198.51.100.0/24' })
  .regex(new RegExp(`^[+~?-]?(${['ip4:', 'ip6:', 'include:', 'exists:'].map(anyCase).join('|')}|(${['a', 'mx', 'ptr'].map(anyCase).join('|')})([:/]|$))\\S*$`), {
    error: 'an SPF mechanism such as ip4:198.51.100.0/24, ip6:2001:db8::/32, a, mx or include:_spf.example.net',
  });

const dmarcPolicy = z.enum(['none', 'quarantine', 'reject'], { error: 'none, quarantine or reject' });
const mailtoUri = z
  .string({ error: 'a mailto: URI such as mailto:dmarc@example.com' })
  .regex(new RegExp(`^${anyCase('mailto')}:[^\\s,;!]+@[^\\s,;!]+$`), { error: 'a mailto: URI such as mailto:dmarc@example.com' });
const alignment = z.enum(['r', 's'], { error: 'r (relaxed) or s (strict)' });

/** include / extra / all: the SPF terms an operator writes (the apex record, and each tenant's) */
const spfTermsShape = {
  include: z.array(dnsName, { error: 'a list of domains' }).default([]).describe('domains added as include: (e.g. a mailing service)'),
  extra: z.array(spfTerm, { error: 'a list of SPF terms' }).default([]).describe('further SPF mechanisms, e.g. ip4:198.51.100.0/24'),
  all: z.enum(['-all', '~all', '?all'], { error: '-all, ~all or ?all (+all would authorise every address on the Internet)' }).default('-all').describe('the closing all mechanism'),
};

export const dmarcSchema = z.strictObject({
  p: dmarcPolicy.describe('policy for the domain'),
  sp: dmarcPolicy.optional().describe('policy for subdomains'),
  pct: integer('a percentage', 0, 100).optional().describe('share of failing mail the policy applies to'),
  rua: z.array(mailtoUri, { error: 'a list of mailto: URIs' }).default([]).describe('aggregate report addresses'),
  ruf: z.array(mailtoUri, { error: 'a list of mailto: URIs' }).default([]).describe('failure report addresses'),
  adkim: alignment.optional().describe('DKIM alignment'),
  aspf: alignment.optional().describe('SPF alignment'),
  fo: z.string({ error: 'fo options such as 1 or 0:d' }).regex(/^[01ds](:[01ds])*$/, { error: 'fo options such as 1 or 0:d' }).optional().describe('failure reporting options'),
}, { error: 'a mapping with at least p: (none, quarantine or reject)' });

export const dkimSchema = z
  .array(
    z.strictObject({
      selector: z.string({ error: 'a DKIM selector such as s1' }).regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/, { error: 'a DKIM selector such as s1' }).describe('published at <selector>._domainkey.<zone>'),
      key: z.string({ error: 'the public key record, e.g. "v=DKIM1; k=rsa; p=MIIB..."' }).min(1, { error: 'the public key record, e.g. "v=DKIM1; k=rsa; p=MIIB..."' }).describe('the public key TXT record (public, so no secret)'),
    }, { error: 'a mapping { selector, key }' }),
    { error: 'a list of { selector, key }' },
  )
  .default([]);

export const authSchema = z.strictObject({
  spf: z
    .strictObject({
      ...spfTermsShape,
      sharedName: dnsName.optional().describe('also publish the outbound addresses at this name inside zone (e.g. _spf.isp.example), for tenants and customers to include; the default SPF of every tenant includes it'),
    }, { error: 'a mapping { include, extra, all, sharedName }' })
    .optional()
    .describe('SPF record at the zone apex; mxpool writes ip4/ip6 of every outbound host itself'),
  dmarc: dmarcSchema.optional().describe('DMARC record published at _dmarc.<zone>'),
  dkim: dkimSchema.describe('DKIM public keys to publish'),
  mtaSts: mtaStsSchema.optional().describe('MTA-STS (RFC 8461): the policy served over HTTPS and the _mta-sts / mta-sts records'),
  tlsRpt: tlsRptSchema.optional().describe('TLS-RPT (RFC 8460): the _smtp._tls record'),
  dane: daneSchema.optional().describe('DANE TLSA records of the MX hosts (RFC 7672)'),
}, { error: 'a mapping with spf:, dmarc:, dkim:, mtaSts:, tlsRpt: and/or dane:' });

const rrType = z.enum(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS', 'PTR', 'TLSA'], {
  error: 'one of A, AAAA, CNAME, MX, TXT, SRV, CAA, NS, PTR, TLSA',
});

export const staticRecordSchema = z.strictObject({
  name: dnsName.describe('owner name, inside zone'),
  type: rrType.describe('record type; A, AAAA and MX at names mxpool publishes are refused'),
  value: z.string({ error: 'the record value in master-file form, e.g. "10 mx.example.net."' }).min(1, { error: 'the record value in master-file form, e.g. "10 mx.example.net."' }).describe('RDATA in master-file form'),
  ttl: integer('a TTL in seconds', 1, 86400).optional().describe('TTL of this record; default: 3600'),
}, { error: 'a record mapping { name, type, value }' });

/** A TSIG key: its secret stays in the environment variable `secretEnv` (base64, as tsig-keygen prints it). */
export const tsigKeySchema = z.strictObject({
  name: dnsName.describe('key name, the same on the secondaries (tsig-keygen NAME, Knot key id, NSD key name)'),
  algorithm: z.enum(['hmac-sha256', 'hmac-sha384', 'hmac-sha512'], { error: 'hmac-sha256, hmac-sha384 or hmac-sha512' }).describe('HMAC algorithm (RFC 8945 6)'),
  secretEnv: envVarName.describe('name of the environment variable holding the base64 secret'),
}, { error: 'a mapping { name, algorithm, secretEnv }' });

const tsigKeyName = dnsName.describe('name of a key in nameserver.tsig');

const transferAllowEntry = z.union([
  ipAddress,
  z.strictObject({
    address: ipAddress.describe('the secondary\'s address'),
    key: tsigKeyName,
  }, { error: 'a mapping { address, key }' }),
], { error: 'an IP address such as 192.0.2.53, or a mapping { address: 192.0.2.53, key: xfr-key }' });

const transferNotifyEntry = z.union([
  listenAddress,
  z.strictObject({
    address: listenAddress.describe('the secondary\'s address:port'),
    key: tsigKeyName,
  }, { error: 'a mapping { address, key }' }),
], { error: 'an address:port such as 192.0.2.53:53, or a mapping { address: "192.0.2.53:53", key: xfr-key }' });

const soaSchema = z.strictObject({
  mname: dnsName.describe('primary nameserver name'),
  rname: dnsName.describe('responsible mailbox, with . for @ (hostmaster.example.com)'),
  refresh: integer('seconds', 1).default(3600).describe('secondaries re-check after this many seconds'),
  retry: integer('seconds', 1).default(600).describe('retry interval of a failed refresh'),
  expire: integer('seconds', 1).default(604800).describe('secondaries stop answering after this long without us'),
  minimum: integer('a negative-caching TTL in seconds', 0, 86400).default(60).describe('negative-caching TTL (RFC 2308)'),
}, { error: 'a mapping { mname, rname }' });

export const nameserverSchema = z.strictObject({
  listen: z.array(listenAddress, { error: 'a list of address:port' }).min(1, { error: 'at least one address:port' }).default(['127.0.0.1:5353']).describe('UDP and TCP on each address:port'),
  ns: z.array(dnsName, { error: 'a list of NS names' }).min(1, { error: 'at least one NS name' }).describe('NS records of the zone'),
  soa: soaSchema.describe('SOA fields; the serial is managed by mxpool'),
  tsig: z.array(tsigKeySchema, { error: 'a list of TSIG keys { name, algorithm, secretEnv }' }).default([]).describe('TSIG keys (RFC 8945) that sign zone transfers and NOTIFY; the secrets come from the environment'),
  transfer: z
    .strictObject({
      allow: z.array(transferAllowEntry, { error: 'a list of IP addresses or { address, key } mappings' }).default([]).describe('who may AXFR/IXFR the zone: an address, or { address, key } to require requests signed with that TSIG key'),
      notify: z.array(transferNotifyEntry, { error: 'a list of address:port or { address, key } mappings' }).default([]).describe('secondaries sent NOTIFY on every change; with a key the NOTIFY is TSIG-signed'),
    }, { error: 'a mapping { allow, notify }' })
    .prefault({})
    .describe('zone transfer (AXFR/IXFR) and NOTIFY'),
  journal: z
    .strictObject({
      maxVersions: integer('a number of versions', 0, 100_000).default(100).describe('differences kept per zone for IXFR; 0: IXFR is always answered with the whole zone'),
      maxBytes: integer('a size in octets', 0, 1 << 30).default(1 << 20).describe('octets of differences kept per zone; past either bound the oldest go, and older secondaries get the whole zone'),
    }, { error: 'a mapping { maxVersions, maxBytes }' })
    .prefault({})
    .describe('the IXFR journal (RFC 1995), kept in memory and in stateDir/journal'),
  workers: integer('a number of worker processes', 1, 64).default(1).describe('processes answering UDP on each port (reusePort); more than 1 starts worker processes'),
}, { error: 'a mapping with at least ns: and soa:' });

export const route53Schema = z.strictObject({
  hostedZoneId: z.string({ error: 'a Route 53 hosted zone id such as Z0123456789ABC' }).regex(/^(\/hostedzone\/)?[A-Z0-9]+$/, { error: 'a Route 53 hosted zone id such as Z0123456789ABC' }).describe('the hosted zone to keep in step'),
  schedule: cronExpression.default('*/1 * * * *').describe('when sync runs (cron)'),
  region: z.string({ error: 'an AWS region such as us-east-1' }).regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: 'an AWS region such as us-east-1' }).default('us-east-1').describe('SDK region (Route 53 is global; us-east-1 is usual)'),
  endpoint: httpUrl.optional().describe('API endpoint override (tests, proxies)'),
  waitForSync: boolean.default(false).describe('wait until a change is INSYNC before reporting success'),
}, { error: 'a mapping with at least hostedZoneId:' });

export const cloudflareSchema = z.strictObject({
  zoneId: z.string({ error: 'a Cloudflare zone id (hex)' }).regex(/^[A-Za-z0-9]+$/, { error: 'a Cloudflare zone id (hex)' }).describe('the zone to keep in step'),
  tokenEnv: envVarName.default('CLOUDFLARE_API_TOKEN').describe('name of the environment variable holding the API token'),
  schedule: cronExpression.default('*/1 * * * *').describe('when sync runs (cron)'),
  baseUrl: httpUrl.optional().describe('API base URL override (tests, proxies)'),
}, { error: 'a mapping with at least zoneId:' });

export const providersSchema = z.strictObject({
  ownerId: z.string({ error: 'an owner id of letters, digits, . _ -' }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: 'an owner id of letters, digits, . _ -' }).default('mxpool').describe('marks the records this mxpool owns; records of other owners are never touched'),
  maxDeletePercent: decimal('a percentage', 0, 100).default(30).describe('refuse a plan deleting more than this share of owned records (unless --force)'),
  route53: route53Schema.optional().describe('Amazon Route 53; credentials from the AWS SDK\'s usual chain'),
  cloudflare: cloudflareSchema.optional().describe('Cloudflare; the token comes from the environment variable tokenEnv'),
}, { error: 'a mapping with route53: and/or cloudflare:' });

// ---------------------------------------------------------------- tenants (customer zones)

/** One customer zone served beside `zone`: its MX names the healthy hosts of the operator's pools. */
export const tenantSchema = z.strictObject({
  zone: dnsName.describe('the customer\'s zone, e.g. customer1.example; must not overlap zone or another tenant'),
  dns: z
    .enum(['served', 'external'], { error: 'served or external' })
    .default('served')
    .describe('served: mxpool publishes the zone (its nameserver, the tenant\'s providers); external: the customer keeps its DNS elsewhere — mxpool neither serves nor syncs it, and `audit --config --live` checks it against this entry'),
  mx: z
    .array(
      z.strictObject({
        pool: z.string({ error: 'the name of an inbound pool' }).min(1, { error: 'the name of an inbound pool' }).describe('an inbound pool: MX names its healthy hosts (their names in zone)'),
        preference: integer('an MX preference', 0, 65535).optional().describe('MX preference; default: the pool\'s mx.preference'),
      }, { error: 'a mapping { pool, preference }' }),
      { error: 'a list of { pool, preference }' },
    )
    .default([])
    .describe('MX records at the tenant\'s apex: the healthy hosts of these pools, with the same whenAllDown/minHealthy rules as the pool\'s own MX'),
  spf: z.strictObject(spfTermsShape, { error: 'a mapping { include, extra, all }' }).optional().describe('SPF record at the tenant\'s apex; default when auth.spf.sharedName is set: { include: [sharedName], all: -all }'),
  dmarc: dmarcSchema.optional().describe('DMARC record published at _dmarc.<tenant zone>'),
  dkim: dkimSchema.describe('DKIM public keys published at <selector>._domainkey.<tenant zone>'),
  records: z.array(staticRecordSchema, { error: 'a list of records' }).default([]).describe('static records of the tenant\'s zone; names inside it'),
  providers: z
    .strictObject({
      route53: route53Schema.optional().describe('the tenant\'s Route 53 hosted zone'),
      cloudflare: cloudflareSchema.optional().describe('the tenant\'s Cloudflare zone'),
    }, { error: 'a mapping with route53: and/or cloudflare:' })
    .optional()
    .describe('DNS providers kept in step with this tenant\'s zone (ownerId and maxDeletePercent come from the top-level providers:)'),
  nameserver: z
    .strictObject({
      ns: z.array(dnsName, { error: 'a list of NS names' }).min(1, { error: 'at least one NS name' }).optional().describe('NS records of the tenant\'s zone; default: nameserver.ns'),
      soa: soaSchema.optional().describe('SOA fields of the tenant\'s zone; default: nameserver.soa'),
    }, { error: 'a mapping { ns, soa }' })
    .optional()
    .describe('the tenant\'s own NS and SOA; default: those of the top-level nameserver'),
}, { error: 'a tenant mapping with at least zone:' });

export const httpSchema = z.strictObject({
  listen: listenAddress.default('127.0.0.1:8053').describe('address:port of the HTTP API, metrics and status page'),
  tokenEnv: envVarName.optional().describe('name of the environment variable holding the Bearer token for drain/undrain/reload'),
  hosts: z.array(dnsName, { error: 'a list of DNS names' }).default([]).describe('names besides the listen address that requests may carry in their Host header (a reverse proxy, this machine\'s DNS name); any other Host is refused with 421 (DNS rebinding)'),
}, { error: 'a mapping { listen, tokenEnv, hosts }' });

/** A DNS server to ask: an IP address, with :port (default 53). */
const dnsServer = z
  .string({ error: 'an IP address, optionally with :port, such as 127.0.0.1:53' })
  .refine((text) => isIP(text) !== 0 || isIP(parseHostPort(text)?.host ?? '') !== 0, { error: 'an IP address, optionally with :port, such as 127.0.0.1:53 or [::1]:53' });

// DNS blocklists (RFC 5782) for the outbound pools (src/dnsbl/).
export const dnsblSchema = z.strictObject({
  zones: z.array(dnsName, { error: 'a list of DNSBL zones such as [zen.spamhaus.org]' }).min(1, { error: 'at least one DNSBL zone' }).describe('blocklist zones each outbound address is looked up in (reversed address + zone, RFC 5782)'),
  interval: duration.prefault('5m').describe('time between lookups of every outbound address'),
  resolver: dnsServer.optional().describe('the resolver to ask (ip or ip:port); default: the system\'s resolvers. Many lists refuse big public resolvers'),
  action: z.enum(['withdraw', 'report'], { error: 'withdraw or report' }).default('withdraw').describe('withdraw: a listed relay leaves the relay name (stays in SPF) until delisted and rise probes pass; report: only report'),
  timeout: duration.prefault('3s').describe('how long each question waits for its answer (sent at most twice); no answer is unknown (the last verdict stays)'),
}, { error: 'a mapping { zones, interval, resolver, action }' });

export const auditSchema = z.strictObject({
  interval: duration.prefault('10m').describe('serve re-audits the published records this often'),
}, { error: 'a mapping { interval }' });

const configShape = z.strictObject(
  {
    zone: dnsName.describe('the zone mxpool is authoritative for / manages'),
    ttl: integer('a TTL in seconds', 1, 86400).default(30).describe('TTL in seconds of the records mxpool writes: pool A/AAAA and MX, SPF, DMARC, DKIM'),
    pools: z.array(poolSchema, { error: 'a list of pools' }).min(1, { error: 'at least one pool' }).describe('inbound (MX) and outbound (relay) pools'),
    probe: probeSchema.prefault({}).describe('SMTP probes and health'),
    auth: authSchema.prefault({}).describe('SPF, DMARC and DKIM records'),
    nameserver: nameserverSchema.optional().describe('the built-in authoritative nameserver'),
    providers: providersSchema.optional().describe('DNS providers kept in step'),
    records: z.array(staticRecordSchema, { error: 'a list of records' }).default([]).describe('static records when mxpool serves the whole zone'),
    stateDir: z.string({ error: 'a directory path' }).min(1, { error: 'a directory path' }).default('./.mxpool').describe('health, last-known-good records and SOA serial survive restarts here'),
    http: httpSchema.optional().describe('HTTP API, metrics and status page'),
    audit: auditSchema.prefault({}).describe('the SPF/DKIM/DMARC audit'),
    cluster: clusterSchema.optional().describe('several mxpool instances that agree through etcd (docs/cluster.md)'),
    tenants: z.array(tenantSchema, { error: 'a list of tenants' }).default([]).describe('customer zones served beside zone; the files of tenantsFrom are appended'),
    tenantsFrom: z.string({ error: 'a folder path' }).min(1, { error: 'a folder path' }).optional().describe('a folder, absolute or relative to this file\'s folder: every *.yaml in it is one tenant (the keys of tenants[]); re-read on every reload'),
    dnsbl: dnsblSchema.optional().describe('DNS blocklists for the outbound pools: listed relays leave the relay name'),
  },
  { error: 'a mapping of config keys (zone:, pools:, ...)' },
);

type Parsed = z.output<typeof configShape>;

/**
 * Parses and validates a config object (already read from YAML). probe.helo stays unset when not
 * given: the probe picks this machine's FQDN, else mxpool.<zone> (src/probe/options.ts), which
 * depends on the machine and so does not belong in a pure parse.
 */
export const configSchema = configShape
  // `when`: run even after other errors, so one run reports every problem (the rules read defensively)
  .superRefine((config, ctx) => crossFieldRules(config, ctx), { when: () => true });

/** The validated, defaulted, frozen config. */
export type Config = Readonly<Parsed>;
export type PoolConfig = Parsed['pools'][number];
export type HostConfig = PoolConfig['hosts'][number];
export type ProbeConfig = Parsed['probe'];
export type AuthConfig = Parsed['auth'];
export type NameserverConfig = NonNullable<Parsed['nameserver']>;
export type ProvidersConfig = NonNullable<Parsed['providers']>;
export type ClusterConfig = NonNullable<Parsed['cluster']>;
export type StaticRecord = Parsed['records'][number];
export type TenantConfig = Parsed['tenants'][number];
export type TenantMx = TenantConfig['mx'][number];
export type SoaConfig = NameserverConfig['soa'];
export type SecurityConfig = NonNullable<PoolConfig['security']>;
export type DnsblConfig = NonNullable<Parsed['dnsbl']>;
/** The config as written, before defaults (what the JSON Schema describes). */
export type ConfigInput = z.input<typeof configShape>;
/** The unvalidated shape the cross-field rules see. */
export type ParsedConfig = Parsed;

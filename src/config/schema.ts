// The one config schema: validator, TypeScript type and defaults in one place (DESIGN.md rule 8).
// Field-level rules live on the fields; rules that relate several fields live in `crossFieldRules`
// so every error carries the path of the key that is wrong.
import { z } from 'zod';
import { isIP } from 'node:net';
import { parseDuration, DURATION_HINT } from './duration.ts';

const hostnamePattern = /^(?=.{1,253}\.?$)(?:(?!-)[a-z0-9_-]{1,63}(?<!-)\.)*(?!-)[a-z0-9_-]{1,63}(?<!-)\.?$/i;

/** A DNS name, stored lower-case without the trailing dot. */
export const dnsName = z
  .string({ error: 'a DNS name such as mx1.example.com' })
  .regex(hostnamePattern, { error: 'a DNS name such as mx1.example.com (labels of letters, digits, hyphens; at most 63 octets each)' })
  .transform((name) => name.toLowerCase().replace(/\.$/, ''));

export const duration = z
  .string({ error: DURATION_HINT })
  .refine((text) => parseDuration(text) !== undefined, { error: DURATION_HINT })
  .transform((text) => parseDuration(text) as number);

const ipAddress = z
  .string({ error: 'an IPv4 or IPv6 address' })
  .refine((text) => isIP(text) !== 0, { error: 'an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10' });

/** host:port or [v6]:port */
export const listenAddress = z
  .string({ error: 'an address:port such as 127.0.0.1:5353 or [::1]:5353' })
  .refine((text) => parseHostPort(text) !== undefined, { error: 'an address:port such as 127.0.0.1:5353 or [::1]:5353' });

const envVarName = z
  .string({ error: 'the name of an environment variable' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'the name of an environment variable such as MXPOOL_TOKEN (the secret itself stays out of the file)' });

const cronExpression = z
  .string({ error: 'a cron expression such as "*/1 * * * *"' })
  .regex(/^\s*(\S+\s+){4,5}\S+\s*$/, { error: 'a cron expression with 5 or 6 fields such as "*/1 * * * *"' });

const port = z.number({ error: 'a port number 1..65535' }).int({ error: 'a whole port number' }).min(1, { error: 'a port number 1..65535' }).max(65535, { error: 'a port number 1..65535' });

export const hostSchema = z.strictObject({
  name: dnsName,
  address: ipAddress,
  port: port.default(25),
  weight: z.number({ error: 'a weight 0..255' }).int({ error: 'a whole number 0..255' }).min(0, { error: 'a weight 0..255' }).max(255, { error: 'a weight 0..255' }).default(1),
  /** an operator's long-term switch: out of DNS at once, out of SPF after twice the TTL */
  disabled: z.boolean({ error: 'true or false' }).default(false),
});

export const poolSchema = z.strictObject({
  name: z.string({ error: 'a pool name' }).regex(/^[a-z0-9][a-z0-9_-]*$/i, { error: 'a pool name of letters, digits, - and _' }),
  role: z.enum(['inbound', 'outbound'], { error: 'inbound (an MX pool) or outbound (a relay pool)' }),
  mx: z
    .strictObject({
      name: dnsName,
      preference: z.number({ error: 'an MX preference 0..65535' }).int().min(0).max(65535).default(10),
    })
    .optional(),
  hostname: dnsName.optional(),
  hosts: z.array(hostSchema, { error: 'a list of hosts' }).min(1, { error: 'at least one host' }),
  whenAllDown: z.enum(['all', 'last-known-good', 'none'], { error: 'all, last-known-good or none' }).default('all'),
  minHealthy: z.number({ error: 'a whole number >= 0' }).int().min(0, { error: 'a whole number >= 0' }).default(1),
});

export const probeSchema = z.strictObject({
  interval: duration.default(5000),
  timeout: duration.default(3000),
  jitter: z.number({ error: 'a fraction 0..0.5 of the interval' }).min(0).max(0.5).default(0.1),
  schedule: cronExpression.optional(),
  rise: z.number({ error: 'a whole number >= 1' }).int({ error: 'a whole number >= 1' }).min(1, { error: 'a whole number >= 1' }).default(2),
  fall: z.number({ error: 'a whole number >= 1' }).int({ error: 'a whole number >= 1' }).min(1, { error: 'a whole number >= 1' }).default(2),
  helo: dnsName.optional(),
  starttls: z.enum(['required', 'optional', 'off'], { error: 'required, optional or off' }).default('optional'),
  certMinDays: z.number({ error: 'a number of days >= 0' }).min(0, { error: 'a number of days >= 0' }).default(7),
  hold: z.boolean({ error: 'true or false' }).default(true),
  caFile: z.string({ error: 'a path to a PEM file' }).optional(),
  verifyCert: z.boolean({ error: 'true or false' }).default(true),
  concurrency: z.number({ error: 'a whole number 1..10000' }).int().min(1).max(10000).default(64),
});

const spfTerm = z
  .string({ error: 'an SPF term such as ip4:198.51.100.0/24' })
  .regex(/^[+~?-]?(ip4:|ip6:|a\b|mx\b|include:|exists:|ptr\b)\S*$/i, {
    error: 'an SPF mechanism such as ip4:198.51.100.0/24, ip6:2001:db8::/32, a, mx or include:_spf.example.net',
  });

export const authSchema = z.strictObject({
  spf: z
    .strictObject({
      include: z.array(dnsName, { error: 'a list of domains' }).default([]),
      extra: z.array(spfTerm, { error: 'a list of SPF terms' }).default([]),
      all: z.enum(['-all', '~all', '?all'], { error: '-all, ~all or ?all (+all would authorise every address on the Internet)' }).default('-all'),
    })
    .optional(),
  dmarc: z
    .strictObject({
      p: z.enum(['none', 'quarantine', 'reject'], { error: 'none, quarantine or reject' }),
      sp: z.enum(['none', 'quarantine', 'reject'], { error: 'none, quarantine or reject' }).optional(),
      pct: z.number({ error: 'a percentage 0..100' }).int().min(0).max(100).optional(),
      rua: z.array(z.string().regex(/^mailto:[^\s,;!]+@[^\s,;!]+$/i, { error: 'a mailto: URI such as mailto:dmarc@example.com' })).default([]),
      ruf: z.array(z.string().regex(/^mailto:[^\s,;!]+@[^\s,;!]+$/i, { error: 'a mailto: URI such as mailto:dmarc@example.com' })).default([]),
      adkim: z.enum(['r', 's'], { error: 'r (relaxed) or s (strict)' }).optional(),
      aspf: z.enum(['r', 's'], { error: 'r (relaxed) or s (strict)' }).optional(),
      fo: z.string().regex(/^[01ds](:[01ds])*$/, { error: 'fo options such as 1 or 0:d' }).optional(),
    })
    .optional(),
  dkim: z
    .array(
      z.strictObject({
        selector: z.string({ error: 'a DKIM selector' }).regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/i, { error: 'a DKIM selector such as s1' }),
        key: z.string({ error: 'the public key record, e.g. "v=DKIM1; k=rsa; p=MIIB..."' }).min(1),
      }),
    )
    .default([]),
});

const rrType = z.enum(['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'SRV', 'CAA', 'NS', 'PTR'], {
  error: 'one of A, AAAA, CNAME, MX, TXT, SRV, CAA, NS, PTR',
});

export const staticRecordSchema = z.strictObject({
  name: dnsName,
  type: rrType,
  value: z.string({ error: 'the record value in master-file form, e.g. "10 mx.example.net."' }).min(1),
  ttl: z.number().int().min(1).max(86400).optional(),
});

export const nameserverSchema = z.strictObject({
  listen: z.array(listenAddress).min(1).default(['127.0.0.1:5353']),
  ns: z.array(dnsName).min(1, { error: 'at least one NS name' }),
  soa: z.strictObject({
    mname: dnsName,
    rname: dnsName,
    refresh: z.number().int().min(1).default(3600),
    retry: z.number().int().min(1).default(600),
    expire: z.number().int().min(1).default(604800),
    minimum: z.number().int().min(0).max(86400).default(60),
  }),
  transfer: z
    .strictObject({
      allow: z.array(ipAddress).default([]),
      notify: z.array(listenAddress).default([]),
    })
    .default({ allow: [], notify: [] }),
  workers: z.number({ error: 'a whole number 1..64' }).int().min(1).max(64).default(1),
});

export const route53Schema = z.strictObject({
  hostedZoneId: z.string({ error: 'a Route 53 hosted zone id such as Z123' }).regex(/^(\/hostedzone\/)?[A-Z0-9]+$/, { error: 'a Route 53 hosted zone id such as Z0123456789ABC' }),
  schedule: cronExpression.default('*/1 * * * *'),
  region: z.string().default('us-east-1'),
  endpoint: z.string().url().optional(),
  waitForSync: z.boolean().default(false),
});

export const cloudflareSchema = z.strictObject({
  zoneId: z.string({ error: 'a Cloudflare zone id' }).regex(/^[A-Za-z0-9]+$/, { error: 'a Cloudflare zone id (hex)' }),
  tokenEnv: envVarName.default('CLOUDFLARE_API_TOKEN'),
  schedule: cronExpression.default('*/1 * * * *'),
  baseUrl: z.string().url().optional(),
});

export const providersSchema = z.strictObject({
  ownerId: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, { error: 'an owner id of letters, digits, . _ -' }).default('mxpool'),
  maxDeletePercent: z.number().min(0).max(100).default(30),
  route53: route53Schema.optional(),
  cloudflare: cloudflareSchema.optional(),
});

export const httpSchema = z.strictObject({
  listen: listenAddress.default('127.0.0.1:8053'),
  tokenEnv: envVarName.optional(),
});

export const auditSchema = z.strictObject({
  interval: duration.default(600_000),
});

export const configSchema = z
  .strictObject({
    zone: dnsName,
    ttl: z.number({ error: 'a TTL in seconds, 1..86400' }).int({ error: 'a whole number of seconds' }).min(1, { error: 'a TTL in seconds, 1..86400' }).max(86400, { error: 'a TTL in seconds, 1..86400' }).default(30),
    pools: z.array(poolSchema, { error: 'a list of pools' }).min(1, { error: 'at least one pool' }),
    probe: probeSchema.default(() => probeSchema.parse({})),
    auth: authSchema.default(() => authSchema.parse({})),
    nameserver: nameserverSchema.optional(),
    providers: providersSchema.optional(),
    records: z.array(staticRecordSchema).default([]),
    stateDir: z.string().default('./.mxpool'),
    http: httpSchema.optional(),
    audit: auditSchema.default(() => auditSchema.parse({})),
  })
  .superRefine(crossFieldRules);

type Parsed = z.output<typeof configSchema>;

function inZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}

function crossFieldRules(config: Parsed, ctx: z.RefinementCtx): void {
  const fail = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const zone = config.zone;
  const seenHost = new Map<string, string>();
  config.pools.forEach((pool, p) => {
    if (pool.role === 'inbound' && !pool.mx) fail(['pools', p, 'mx'], `inbound pool "${pool.name}" needs mx: { name, preference }`);
    if (pool.role === 'outbound' && pool.mx) fail(['pools', p, 'mx'], `outbound pool "${pool.name}" takes no mx (MX records come from inbound pools)`);
    if (pool.mx && !inZone(pool.mx.name, zone)) fail(['pools', p, 'mx', 'name'], `a name inside zone ${zone}`);
    if (pool.hostname && !inZone(pool.hostname, zone)) fail(['pools', p, 'hostname'], `a name inside zone ${zone}`);
    if (pool.minHealthy > pool.hosts.length) fail(['pools', p, 'minHealthy'], `at most the number of hosts (${pool.hosts.length})`);
    const seenAddress = new Set<string>();
    pool.hosts.forEach((host, h) => {
      const path = ['pools', p, 'hosts', h];
      if (!inZone(host.name, zone)) fail([...path, 'name'], `a name inside zone ${zone} (mxpool publishes its A/AAAA record)`);
      const other = seenHost.get(host.name);
      if (other !== undefined) fail([...path, 'name'], `a host name used once (${host.name} is already at ${other})`);
      else seenHost.set(host.name, `pools.${p}.hosts.${h}`);
      const address = `${host.address}`.toLowerCase();
      if (seenAddress.has(address)) fail([...path, 'address'], `an address used once per pool (${host.address} is listed twice in pool "${pool.name}")`);
      seenAddress.add(address);
    });
  });
  const poolNames = new Set<string>();
  config.pools.forEach((pool, p) => {
    if (poolNames.has(pool.name)) fail(['pools', p, 'name'], `a pool name used once ("${pool.name}" is taken)`);
    poolNames.add(pool.name);
  });
  if (config.probe.timeout >= config.probe.interval) fail(['probe', 'timeout'], `shorter than probe.interval (${config.probe.interval} ms)`);
  config.records.forEach((record, r) => {
    if (!inZone(record.name, zone)) fail(['records', r, 'name'], `a name inside zone ${zone}`);
  });
  if (config.nameserver) {
    if (!inZone(config.nameserver.soa.mname, zone) && config.nameserver.ns.length === 0) fail(['nameserver', 'ns'], 'at least one NS name');
  }
}

/** The validated, defaulted, frozen config. */
export type Config = Readonly<Parsed>;
export type PoolConfig = Parsed['pools'][number];
export type HostConfig = PoolConfig['hosts'][number];
export type ProbeConfig = Parsed['probe'];
export type AuthConfig = Parsed['auth'];
export type NameserverConfig = NonNullable<Parsed['nameserver']>;
export type ProvidersConfig = NonNullable<Parsed['providers']>;
export type StaticRecord = Parsed['records'][number];

/** Parses "127.0.0.1:5353" or "[::1]:5353". */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const host = match[1] as string;
  const portNumber = Number(match[2]);
  if (portNumber < 1 || portNumber > 65535) return undefined;
  if (isIP(host) === 0 && !/^[a-z0-9.-]+$/i.test(host)) return undefined;
  return { host, port: portNumber };
}

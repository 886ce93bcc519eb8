// The one registration table of providers, and the syncer `serve` runs. The only module of
// providers/ that src/ (cli commands, daemon wiring) may import (DESIGN.md).
import type { Config } from '../src/config/schema.ts';
import type { ProvidersConfig, TenantConfig } from '../src/config/schema.ts';

type Route53Config = NonNullable<ProvidersConfig['route53']>;
type CloudflareConfig = NonNullable<ProvidersConfig['cloudflare']>;
import type { Logger } from '../src/log.ts';
import { MxpoolError } from '../src/errors.ts';
import { realSleep, type ApiCounter, type Provider, type Sleep } from './provider.ts';
import { createRoute53Client } from './route53/client.ts';
import { Route53Provider } from './route53/provider.ts';
import { createCloudflareClient } from './cloudflare/client.ts';
import { CLOUDFLARE_CAPABILITIES, CloudflareProvider } from './cloudflare/provider.ts';
import { ROUTE53_CAPABILITIES } from './route53/provider.ts';
import { createSyncer as createSyncerWith, type SyncClock, type Scheduler, type Syncer } from './sync/syncer.ts';
import { createTenantSyncers as createTenantSyncersWith, type TenantSyncers, type TenantSyncersOptions } from './sync/tenants.ts';

export type { Provider, ApiCounter, Sleep };
export type { Syncer, SyncClock, Scheduler, ProviderStatus, SyncEvent } from './sync/syncer.ts';
export type { TenantSyncers, TenantSyncEvent, TenantSyncResult } from './sync/tenants.ts';
export type { SyncResult, SyncOptions } from './sync/reconcile.ts';

export const PROVIDER_NAMES = ['route53', 'cloudflare'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** What tests and the benchmark swap: waiting, randomness, call counting, the environment. */
export interface ProviderDeps {
  sleep?: Sleep;
  random?: () => number;
  counter?: ApiCounter;
  env?: NodeJS.ProcessEnv;
  /** page size for listings (tests use small pages to exercise paging) */
  pageSize?: number;
}

/** The providers of one zone: the top-level `providers:` or a tenant's `providers:`. */
export interface ZoneProviders {
  route53?: Route53Config;
  cloudflare?: CloudflareConfig;
}

type Factory = (zone: ZoneProviders, ownerId: string, logger: Logger, deps: Required<Omit<ProviderDeps, 'counter' | 'pageSize'>> & ProviderDeps, origin: string) => Provider | undefined;

const FACTORIES: Record<ProviderName, Factory> = {
  route53(zone, ownerId, logger, deps) {
    const settings = zone.route53;
    if (!settings) return undefined;
    const api = createRoute53Client({
      hostedZoneId: settings.hostedZoneId,
      region: settings.region,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      logger,
      sleep: deps.sleep,
      random: deps.random,
      ...(deps.counter ? { counter: deps.counter } : {}),
      ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
    });
    return new Route53Provider({ api, ownerId, waitForSync: settings.waitForSync });
  },
  cloudflare(zone, ownerId, logger, deps, origin) {
    const settings = zone.cloudflare;
    if (!settings) return undefined;
    const token = deps.env[settings.tokenEnv];
    if (!token) {
      throw new MxpoolError('CONFIG_INVALID', `${origin}.cloudflare.tokenEnv`, `the environment variable ${settings.tokenEnv} must hold the Cloudflare API token; it is not set`, { fatal: true });
    }
    const baseUrl = settings.baseUrl ?? deps.env['CLOUDFLARE_BASE_URL'];
    const api = createCloudflareClient({
      zoneId: settings.zoneId,
      token,
      ...(baseUrl ? { baseUrl } : {}),
      logger,
      sleep: deps.sleep,
      random: deps.random,
      ...(deps.counter ? { counter: deps.counter } : {}),
      ...(deps.pageSize ? { perPage: deps.pageSize } : {}),
    });
    return new CloudflareProvider({ api, ownerId });
  },
};

/**
 * The lowest TTL every configured provider accepts (Cloudflare raises anything below 60 s): how long
 * resolvers may really cache what mxpool publishes there. 0 without providers.
 */
export function providersMinTtl(config: Pick<Config, 'providers'>): number {
  let ttl = 0;
  if (config.providers?.route53) ttl = Math.max(ttl, ROUTE53_CAPABILITIES.minTtl);
  if (config.providers?.cloudflare) ttl = Math.max(ttl, CLOUDFLARE_CAPABILITIES.minTtl);
  return ttl;
}

/** The names of the providers `config` syncs its zone to. */
export function providerNames(config: Pick<Config, 'providers'>): ProviderName[] {
  return PROVIDER_NAMES.filter((name) => config.providers?.[name] !== undefined);
}

/** The configured providers (none when `providers` is absent). */
export function createProviders(config: Config, logger: Logger, deps: ProviderDeps = {}): Provider[] {
  return createZoneProviders(config.providers ?? {}, config.providers?.ownerId ?? 'mxpool', logger, deps, 'providers');
}

/** The providers of one zone's settings; `origin` is the key path errors name (providers, tenants.3.providers). */
export function createZoneProviders(zone: ZoneProviders, ownerId: string, logger: Logger, deps: ProviderDeps = {}, origin = 'providers'): Provider[] {
  const full = { sleep: deps.sleep ?? realSleep, random: deps.random ?? Math.random, env: deps.env ?? process.env, ...deps };
  const providers: Provider[] = [];
  for (const name of PROVIDER_NAMES) {
    const provider = FACTORIES[name](zone, ownerId, logger, { ...full, sleep: full.sleep, random: full.random, env: full.env }, origin);
    if (provider) providers.push(provider);
  }
  return providers;
}

/**
 * The providers a reloaded config needs: a provider whose settings (and `providers.ownerId`) did
 * not change is kept as it is; a changed or new one is built afresh. Throws, changing nothing, when
 * one cannot be built (e.g. its token variable is not set) — the reload is then refused.
 */
export function providersForReload(previous: Config, next: Config, current: readonly Provider[], logger: Logger, deps: ProviderDeps = {}): Provider[] {
  const full = { sleep: deps.sleep ?? realSleep, random: deps.random ?? Math.random, env: deps.env ?? process.env, ...deps };
  const same = (name: ProviderName) =>
    JSON.stringify(previous.providers?.[name]) === JSON.stringify(next.providers?.[name]) && (previous.providers?.ownerId ?? 'mxpool') === (next.providers?.ownerId ?? 'mxpool');
  const providers: Provider[] = [];
  for (const name of PROVIDER_NAMES) {
    const kept = same(name) ? current.find((provider) => provider.name === name) : undefined;
    const provider = kept ?? FACTORIES[name](next.providers ?? {}, next.providers?.ownerId ?? 'mxpool', logger, { ...full, sleep: full.sleep, random: full.random, env: full.env }, 'providers');
    if (provider) providers.push(provider);
  }
  return providers;
}

export interface CreateSyncerOptions {
  config: Config;
  logger: Logger;
  /** default: createProviders(config, logger) */
  providers?: Provider[];
  clock?: SyncClock;
  scheduler?: Scheduler;
  debounceMs?: number;
  holdDownMs?: number;
  dryRun?: boolean;
}

export function createSyncer(options: CreateSyncerOptions): Syncer {
  return createSyncerWith({ ...options, providers: options.providers ?? createProviders(options.config, options.logger) });
}

/** The providers of one tenant zone (its own `providers:`; ownerId from the top-level providers:). */
export function createTenantProviders(config: Config, tenant: TenantConfig, logger: Logger, deps: ProviderDeps = {}): Provider[] {
  return createZoneProviders(tenant.providers ?? {}, config.providers?.ownerId ?? 'mxpool', logger.child({ zone: tenant.zone }), deps, `tenants[${tenant.zone}].providers`);
}

export interface CreateTenantSyncersOptions extends Omit<TenantSyncersOptions, 'providersFor'> {
  /** default: createTenantProviders */
  providersFor?: TenantSyncersOptions['providersFor'];
  deps?: ProviderDeps;
}

/** One syncer per tenant zone with providers (none when no tenant has any). */
export function createTenantSyncers(options: CreateTenantSyncersOptions): TenantSyncers {
  const providersFor = options.providersFor ?? ((tenant: TenantConfig, config: Config) => createTenantProviders(config, tenant, options.logger, options.deps));
  return createTenantSyncersWith({ ...options, providersFor });
}

// `mxpool serve`: probes -> health -> desired zone -> nameserver / providers, plus state and HTTP.
// Start-up: with a state file, the zone is built from the saved health and served at once while the
// first probe round runs; without one, one probe round (bounded by probe.timeout) runs first — never
// an "everything is up" guess. Every health transition republishes (coalesced); state is written on
// every change (throttled) and at shutdown. A reload (SIGHUP, POST /api/reload) swaps the whole
// config while serving (src/daemon/reloader.ts, apply-config.ts).
import type { AddressInfo } from 'node:net';
import type { Config } from './config/schema.ts';
import type { Logger } from './log.ts';
import type { DesiredZone } from './model.ts';
import { MxpoolError } from './errors.ts';
import { ProbeRunner, UnknownHostError, type RunnerClock } from './probe/runner.ts';
import { readState, newSavedState } from './state/file.ts';
import { StateWriter } from './state/writer.ts';
import { ZonePublisher } from './daemon/publisher.ts';
import { announceRetired, configAddresses, retiredAtStart } from './daemon/retired.ts';
import { spfFromSaved, spfToSave } from './daemon/saved-spf.ts';
import { ProbeMemory } from './daemon/probe-memory.ts';
import type { NameserverService, Services, SyncService, TenantSyncService } from './daemon/services.ts';
import { TenantZones } from './tenants/zones.ts';
import { apiZones, searchZones } from './http/zones.ts';
import { AuditLoop } from './daemon/audit-loop.ts';
import { drainWouldNotWithdraw } from './daemon/drain-check.ts';
import { Metrics, failureClass } from './http/metrics.ts';
import { HostGauges } from './daemon/host-gauges.ts';
import { HttpServer, HttpError, type HostAction } from './http/server.ts';
import { buildApiState, safeToStopAt } from './http/api.ts';
import type { ApiDrainResponse, ApiReloadResult, ApiReloadTrigger, ApiState } from './http/types.ts';
import { LiveConfig } from './daemon/live-config.ts';
import { withDeadline } from './daemon/deadline.ts';
import { Reloader } from './daemon/reloader.ts';
import { prepareReload } from './daemon/apply-config.ts';
import { checkSourceAddress } from './probe/source-address.ts';
import type { ClusterNode } from './cluster/node.ts';
import { readServedSerial, writeServedSerial } from './state/served-serial.ts';
import { appendTenantSerials, clearTenantSerials, readTenantSerials, withLoggedSerials } from './state/tenant-serials.ts';
import { apiHygiene, daemonHygiene, swapHygiene } from './daemon/hygiene.ts';
import type { Hygiene } from './security/hygiene.ts';
import { TransportTracker } from './daemon/transport.ts';
import { startPolicyServer } from './daemon/policy.ts';

export interface DaemonOptions {
  /** the config to run; a LiveConfig when the caller's services read it too (src/daemon/wiring.ts) */
  config: Config | LiveConfig;
  /** re-reads the config file for a reload (SIGHUP, POST /api/reload); without it serve cannot reload */
  reload?: { file: string; load: () => Promise<Config> };
  logger: Logger;
  services: Services;
  clock?: RunnerClock;
  random?: () => number;
  /** where the HTTP token is read from (process.env) */
  env?: Record<string, string | undefined>;
  /** minimum gap between state writes */
  stateWriteGapMs?: number;
}

export interface Daemon {
  /** the config in force (a reload replaces it) */
  readonly config: Config;
  readonly http: AddressInfo | undefined;
  state(): ApiState;
  zone(): DesiredZone | undefined;
  /** the operator's actions, as POST /api/hosts/H/... does them: in a cluster recorded in etcd for every node */
  drain(host: string): Promise<ApiDrainResponse>;
  undrain(host: string): Promise<ApiDrainResponse>;
  disable(host: string): Promise<ApiDrainResponse>;
  enable(host: string): Promise<ApiDrainResponse>;
  /** re-reads the config file and applies it, or keeps the running one and says why (never throws) */
  reload(trigger: ApiReloadTrigger): Promise<ApiReloadResult>;
  /** stop probing, finish in-flight probes, write state, close sockets */
  stop(): Promise<void>;
}

/** How long shutdown waits for probes in flight, then for sockets to close (the whole must fit in 5 s). */
const PROBE_DRAIN_MS = 2500;
const SOCKETS_CLOSE_MS = 1500;

const systemClock: RunnerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger, services } = options;
  const clock = options.clock ?? systemClock;
  const live = options.config instanceof LiveConfig ? options.config : new LiveConfig(options.config, clock.now());
  const config = live.current; // the start-up config: everything read after start-up reads live.current
  const token = httpToken(config, options.env ?? process.env);
  const startedAt = clock.now();
  const metrics = new Metrics();
  const memory = new ProbeMemory();
  let hostCount = countHosts(config);
  for (const pool of config.pools) for (const host of pool.hosts) metrics.declareHost(host.name, pool.name);

  const saved = readState(config.stateDir, config.zone, logger);
  // the customer zones, with the serials (and content hashes) they had before the restart
  // (the state file's, and the later ones of the publishes it missed: tenant-serials.ts)
  const tenants = new TenantZones(config, { marks: withLoggedSerials(saved?.zones ?? {}, readTenantSerials(config.stateDir, logger)) });
  const runner = new ProbeRunner({ config, logger, clock, ...(options.random ? { random: options.random } : {}) });
  if (saved) runner.restore(saved.hosts);
  // relays gone from the config (or moved to another address) keep their SPF grace across the restart
  const retirements = retiredAtStart(config, saved, startedAt);
  announceRetired(logger, retirements.retired, retirements.found);
  // resolvers may keep these records as long as the longest TTL any target serves them with
  const transport = new TransportTracker(config, transportTtlMs(config, services), saved?.transport);
  transport.setPlaces(publishingPlaces(config, services), startedAt);
  let policyServer: { stop(): Promise<void> } | undefined;

  let nameserver: NameserverService | undefined;
  /** the nameserver's sockets are open: /healthz says serving only from then on */
  let dnsListening = false;
  let syncer: SyncService | undefined;
  let tenantSync: TenantSyncService | undefined;
  let firstRoundDone = false;
  let stopped: Promise<void> | undefined;
  const probedSinceStart = new Set<string>();

  const stateWriter = new StateWriter({
    stateDir: config.stateDir,
    logger,
    now: () => clock.now(),
    ...(options.stateWriteGapMs !== undefined ? { minGapMs: options.stateWriteGapMs } : {}),
    written: () => clearTenantSerials(config.stateDir),
    collect: () =>
      newSavedState(live.current.zone, clock.now(), servedZone()?.serial ?? publisher.serial, [...runner.snapshot().values()], publisher.lastKnownGood, {
        addresses: configAddresses(live.current),
        retired: publisher.retired,
        spf: spfToSave(live.current.zone, publisher.spf, live.current.auth.spf?.sharedName),
        zones: publisher.tenants?.marks() ?? {},
        transport: transport.toSave(),
      }),
  });
  // relay security checks and DNSBL lookups (pools[].security, dnsbl): their holds feed health; a
  // reload replaces them (src/daemon/hygiene.ts swapHygiene)
  const hygieneOf = (next: Config) => daemonHygiene({ config: next, logger, env: options.env ?? process.env, runner, metrics, onChange: () => publisher.zone && auditLoop?.zoneChanged(publisher.zone) });
  let hygiene = hygieneOf(config);
  const auditLoop = services.audit ? new AuditLoop({ audit: services.audit, health: () => health(), retired: () => publisher.retired, hygiene: () => hygiene?.facts(), presented: () => transport.state().presented ?? new Map(), intervalMs: config.audit.interval, logger, onReport: (report) => metrics.audit(report.summary) }) : undefined;

  // cluster: (docs/cluster.md) the zone and the health shown are the agreed ones, not this node's own
  let cluster: ClusterNode | undefined;
  /** a syncer stopping because this node stopped leading (shutdown waits for its write in flight) */
  let syncerStopping: Promise<void> | undefined;
  const health = () => cluster?.snapshot() ?? runner.snapshot();
  const servedZone = () => (cluster ? cluster.zone : publisher.zone);
  const gauges = new HostGauges(metrics, config, (host) => (cluster ? cluster.stateOf(host) : runner.healthOf(host).state));
  const zoneTargets: ((zone: DesiredZone) => void)[] = [
    (zone) => transport.published(zone, clock.now()),
    (zone) => nameserver?.setZone(zone),
    (zone) => nameserver && stsCarried('nameserver', zone.serial),
    (zone) => syncer?.push(zone),
    (zone) => metrics.zone(zone.serial),
    (zone) => gauges.zoneChanged(zone),
    (zone) => auditLoop?.zoneChanged(zone),
    (zone) => writeServedSerial(config.stateDir, config.zone, zone.serial),
    () => stateWriter.schedule(),
    (zone) => {
      // a cluster delivers the agreed zone: the tenant zones follow its published hosts, with the
      // serials the leader gave them (docs/cluster.md "Tenant zones")
      if (cluster) deliverTenants(publisher.tenants?.publish(live.current, zone.published ?? {}, new Date(clock.now()), cluster.tenantSerials) ?? []);
    },
  ];
  /** the tenant zones that got a new version: to the nameserver, their providers, the state file */
  const tenantTargets: ((zones: readonly DesiredZone[]) => void)[] = [
    (zones) => nameserver?.setZones(zones),
    (zones) => tenantSync?.push(zones),
    (zones) => logTenantSerials(zones),
    () => stateWriter.schedule(),
  ];
  const logTenantSerials = (zones: readonly DesiredZone[]) => {
    try {
      appendTenantSerials(config.stateDir, zones.flatMap((zone) => {
        const mark = publisher.tenants?.markOf(zone.zone);
        return mark ? [{ zone: zone.zone, ...mark }] : [];
      }));
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'could not log the tenant zones\' serials; the state file will hold them at its next write');
    }
  };
  const deliverTenants = (zones: readonly DesiredZone[]) => {
    if (zones.length > 0) for (const target of tenantTargets) target(zones);
  };
  const tenantZones = () => publisher.tenants?.zones() ?? [];
  const zoneProviders = (zone: string) => (zone === live.current.zone ? (syncer?.status() ?? []) : (tenantSync?.status(zone) ?? []));
  const publisher: ZonePublisher = new ZonePublisher({
    config,
    logger,
    now: () => clock.now(),
    health: () => runner.snapshot(),
    // the state file may lag the serial served before a crash (its writes are throttled)
    previousSerial: Math.max(saved?.serial ?? 0, readServedSerial(config.stateDir, config.zone, logger)),
    lastKnownGood: saved?.lastKnownGood ?? {},
    retired: retirements.retired,
    previousSpf: spfFromSaved(config.zone, saved?.spf ?? []),
    setTimer: (callback, ms) => clock.setTimeout(callback, ms),
    clearTimer: (handle) => clock.clearTimeout(handle),
    transport: () => (transport.enabled ? transport.state() : undefined),
    targets: zoneTargets,
    tenants,
    tenantTargets,
  });

  const reloader = newReloader(options.reload);

  /** `place` publishes the zone of `serial` now: an MX name waiting for it gets its deadline. */
  function stsCarried(place: string, serial: number): void {
    if (!transport.carried(place, serial, clock.now())) return;
    if (cluster) cluster.recompute();
    else publisher.request(`${place} carries the MTA-STS policy id`);
    stateWriter.schedule();
  }

  /** A provider's sync: its success counts for the MTA-STS hold; its failure keeps waiting names out of MX. */
  function watchSync(service: SyncService): void {
    service.onSync((event) => {
      metrics.sync(event.provider, event.result);
      const zone = live.current.zone;
      const blocked = event.conflicts?.includes(`_mta-sts.${zone}`) ? `_mta-sts.${zone} belongs to another owner there: it does not carry mxpool's policy id` : undefined;
      const error = event.result === 'error' ? (event.error ?? 'sync failed') : blocked;
      if (error === undefined) {
        if (event.serial !== undefined) stsCarried(event.provider, event.serial);
        return;
      }
      transport.failed(event.provider, error, clock.now());
      const waiting = transport.waitingFor(event.provider, servedZone());
      if (waiting.length > 0) logger.warn({ provider: event.provider, error, hosts: waiting }, `MTA-STS: ${waiting.join(', ')} stay${waiting.length === 1 ? 's' : ''} out of MX everywhere until ${event.provider} carries the policy's _mta-sts id (its sync failed), then one TTL`);
    });
  }

  runner.on('probe', (host, result) => {
    const health = runner.healthOf(host);
    // the runner applies the result right after this event: read the streak once it has
    queueMicrotask(() => {
      const after = runner.healthOf(host);
      memory.record(host, result, { ok: after.successes, fail: after.failures });
    });
    metrics.probe({ host, pool: health.pool, ok: result.ok, ms: result.ms, reason: failureClass(result.stage, result.reason) });
    if (transport.observe(host, result, clock.now())) {
      // in a cluster the leader decides the zone, from its own probes' keys
      if (cluster) cluster.recompute();
      else publisher.request(`${host} presents a new key`);
      stateWriter.schedule();
    }
    probedSinceStart.add(host);
    if (!firstRoundDone && probedSinceStart.size >= hostCount) {
      firstRoundDone = true;
      logger.info({ ms: clock.now() - startedAt }, 'first probe round done');
      stateWriter.schedule();
    }
  });
  runner.on('transition', (event) => {
    metrics.transition(event.host, event.pool, event.to);
    if (cluster) return stateWriter.schedule(); // this node's view is a vote; the cluster decides
    gauges.hostChanged(event.host, event.pool); // health the records may not reflect (whenAllDown) still shows
    publisher.request(`${event.host} ${event.from} -> ${event.to}`);
    stateWriter.schedule();
  });

  const http = config.http
    ? new HttpServer({
        listen: config.http.listen,
        token,
        hosts: () => live.current.http?.hosts ?? [], // applied by a reload
        logger,
        handlers: {
          // serving = the zone is out where it is served: with a nameserver, once its sockets answer
          healthz: () => (!servedZone() ? { ok: false, status: 'starting: first probe round' } : services.nameserver && !dnsListening ? { ok: false, status: 'starting: nameserver' } : { ok: true, status: 'serving' }),
          state: (stateOptions) => apiState(stateOptions?.listZones ?? true),
          zones: (query, limit) => searchZones(apiZones(servedZone(), tenantZones(), zoneProviders), query, limit),
          drain: (host) => hostAction(host, 'drain'),
          undrain: (host) => hostAction(host, 'undrain'),
          disable: (host) => hostAction(host, 'disable'),
          enable: (host) => hostAction(host, 'enable'),
          ...(options.reload ? { reload: () => reload('api') } : {}),
          metrics: async () => ({ contentType: metrics.contentType, body: await metrics.text() }),
        },
      })
    : undefined;

  function apiState(listZones = true): ApiState {
    const state = buildApiState({
      tenantZones: tenantZones(),
      listZones,
      tenantProviders: (zone) => tenantSync?.status(zone) ?? [],
      config: live.current,
      now: clock.now(),
      startedAt,
      startedFrom: saved ? 'state-file' : 'first-probe-round',
      firstRoundDone,
      health: health(),
      zone: servedZone(),
      probes: memory.view(),
      providers: syncer?.status() ?? [],
      audit: auditLoop?.last ?? null,
      nameserver: nameserver ? { listen: nameserver.listen, queries: nameserver.queryCounts().reduce((sum, entry) => sum + entry.count, 0) } : null,
      spfGrace: publisher.retired,
      configStatus: reloader.status(),
      ...(cluster ? { cluster: cluster.status() } : {}),
      ...(hygiene ? { hygiene: (host: string) => apiHygiene(hygiene as Hygiene, host) } : {}),
    });
    const security = transport.api(servedZone());
    return security ? { ...state, transport: security } : state;
  }

  function reload(trigger: ApiReloadTrigger): Promise<ApiReloadResult> {
    return reloader.request(trigger);
  }

  /** An operator's action on a host: in a cluster recorded in etcd (every node applies it), else here. */
  async function hostAction(host: string, kind: HostAction): Promise<ApiDrainResponse> {
    return cluster ? cluster.operator(host, kind) : operatorAction(host, kind);
  }

  function operatorAction(host: string, kind: HostAction): ApiDrainResponse {
    try {
      if (kind === 'drain') {
        const blocked = drainWouldNotWithdraw(live.current, runner.snapshot(), host, publisher.lastKnownGood, clock.now());
        if (blocked) throw new HttpError(409, blocked);
        runner.drain(host);
      } else {
        runner[kind](host);
      }
    } catch (error) {
      if (error instanceof UnknownHostError) throw new HttpError(404, `no host named ${host} in the config`);
      throw error;
    }
    const zone = publisher.publishNow(`operator ${kind} ${host}`);
    stateWriter.flush(true); // an operator's decision must survive a crash right after it
    const health = runner.snapshot().get(host.toLowerCase().replace(/\.$/, ''));
    const state = health?.state ?? 'unhealthy';
    const drainedAt = state === 'draining' ? health?.withdrawnAt : undefined;
    return {
      host: health?.host ?? host,
      state,
      drain: drainedAt === undefined ? null : { drainedAt, safeToStopAt: safeToStopAt(drainedAt, live.current.ttl) },
      serial: zone.serial,
    };
  }

  try {
    await checkSourceAddress(config.probe.sourceAddress);
    const httpAddress = await http?.start();
    // the policy is served before any zone names a host in MX: the MTA-STS safety rule counts from here
    policyServer = await startPolicyServer(live, logger, transport, clock.now());
    if (config.cluster) {
      cluster = await startCluster();
      await cluster.start();
    }
    const firstChecks = hygiene?.start();
    if (!saved) {
      // No saved truth: learn it before answering (each probe ends within probe.timeout), and let
      // the first relay checks and DNSBL lookups withhold a host before it is ever published
      await withDeadline(Promise.all([runner.probeAllOnce(), firstChecks]), config.probe.timeout * 2 + 1000);
    }
    const zone = cluster
      ? await cluster.firstZone(config.cluster!.lease + config.probe.timeout * 2 + 2000)
      : publisher.publishNow(saved ? 'start-up from the state file' : 'start-up after the first probe round');
    if (cluster) for (const target of zoneTargets) target(zone); // as publishNow does (nameserver and syncers come next)
    if (services.nameserver) {
      nameserver = services.nameserver(servedZone() ?? zone);
      // every tenant zone is loaded before the sockets open: the first query already finds its zone
      if (tenantZones().length > 0) nameserver.setZones(tenantZones());
      const served = nameserver;
      metrics.dnsQueriesFrom(() => served.queryCounts());
      await nameserver.start();
      dnsListening = true;
      stsCarried('nameserver', (servedZone() ?? zone).serial);
    }
    if (services.syncer && !cluster) {
      syncer = services.syncer();
      watchSync(syncer);
      syncer.start();
      syncer.push(zone);
    }
    if (services.tenantSyncers && !cluster) startTenantSync();
    auditLoop?.start(zone);
    runner.start();
    stateWriter.flush(true);
    reloader.open();
    logger.info({ serial: zone.serial, from: saved ? 'state file' : 'first probe round', http: httpAddress ? `${httpAddress.address}:${httpAddress.port}` : undefined, nameserver: nameserver?.listen }, 'serving');
    return {
      get config() {
        return live.current;
      },
      get http() {
        return http?.address();
      },
      state: apiState,
      zone: () => servedZone(),
      drain: (host) => hostAction(host, 'drain'),
      undrain: (host) => hostAction(host, 'undrain'),
      disable: (host) => hostAction(host, 'disable'),
      enable: (host) => hostAction(host, 'enable'),
      reload,
      stop: () => (stopped ??= shutdown()),
    };
  } catch (error) {
    await shutdown().catch(() => undefined);
    throw error;
  }

  function newReloader(source: DaemonOptions['reload']): Reloader {
    return new Reloader({
      live,
      file: source?.file,
      load: source?.load,
      serial: () => publisher.serial,
      now: () => clock.now(),
      logger,
      counted: (applied, loadedAt) => metrics.reload(applied, loadedAt),
      prepare: async (next) => {
        // the new config's checks: an unset credentials variable refuses the reload here
        const nextHygiene = hygieneOf(next);
        const commit = await prepareReload({
          live, runner, publisher, gauges, memory, stateWriter, auditLoop, syncer, tenantSync, nameserver, logger,
          transport: {
            reconfigure: (config, at) => {
              transport.reconfigure(config, transportTtlMs(config, services), at);
              transport.setPlaces(publishingPlaces(config, services), at);
            },
          },
          onHosts: (changes) => {
            for (const gone of changes.removed) probedSinceStart.delete(gone.name);
            hostCount = countHosts(live.current);
          },
        }, next);
        return (at) => {
          const zone = commit(at);
          swapHygiene(hygiene, nextHygiene, { config: next, runner, metrics });
          hygiene = nextHygiene;
          return zone;
        };
      },
    });
  }

  /** The cluster member (loaded only with `cluster:`: a single mxpool never loads the etcd client). */
  async function startCluster(): Promise<ClusterNode> {
    const { ClusterNode: Node } = await import('./cluster/node.ts');
    return new Node({
      config,
      logger,
      runner,
      timers: clock,
      registry: metrics.registry,
      env: options.env ?? process.env,
      deliver: (zone) => {
        for (const target of zoneTargets) target(zone);
      },
      hostChanged: (host, pool) => gauges.hostChanged(host, pool),
      setLeading: (leading) => void leadingChanged(leading),
      http: config.http?.listen ?? null,
      nameserver: config.nameserver?.listen ?? [],
      transport: () => (transport.enabled ? transport.state() : undefined),
      tenants: () => publisher.tenants,
    });
  }

  /** The syncers of the tenant zones with providers of their own, fed every tenant zone at once. */
  function startTenantSync(): void {
    if (!services.tenantSyncers || tenantSync) return;
    tenantSync = services.tenantSyncers();
    tenantSync.onSync((event) => metrics.sync(event.provider, event.result));
    tenantSync.start();
    tenantSync.push(tenantZones());
  }

  /** Only the cluster's leader syncs providers: one writer, one write per change. */
  async function leadingChanged(leading: boolean): Promise<void> {
    if (leading && !stopped) startTenantSync();
    else if (!leading && tenantSync) {
      const ending = tenantSync;
      tenantSync = undefined;
      await ending.stop();
    }
    if (leading && !syncer && services.syncer && !stopped) {
      const started = services.syncer();
      syncer = started;
      watchSync(started);
      started.start();
      const zone = servedZone();
      if (zone) started.push(zone);
    } else if (!leading && syncer) {
      const ending = syncer;
      syncer = undefined;
      syncerStopping = ending.stop();
      await syncerStopping;
    }
  }

  async function shutdown(): Promise<void> {
    reloader.close();
    logger.info('shutting down: stopping probes');
    publisher.stop();
    auditLoop?.stop();
    // finish probes in flight, but not past the shutdown budget: a probe of a silent host may have
    // seconds left on its timeout, and its result no longer matters once we stop answering
    const drained = await withDeadline(Promise.all([runner.stop(), hygiene?.stop()]).then(() => true), PROBE_DRAIN_MS);
    if (!drained) logger.warn({ waitedMs: PROBE_DRAIN_MS }, 'probes still in flight at shutdown: abandoning them');
    if (servedZone()) stateWriter.flush(true);
    // leave the cluster at once (the lease is revoked: another node leads without waiting it out)
    await withDeadline(cluster?.stop() ?? Promise.resolve(), SOCKETS_CLOSE_MS);
    // a provider call in flight is abandoned after its share of the budget (the next start reconciles)
    const closed = await withDeadline(Promise.allSettled([http?.stop(), nameserver?.stop(), syncer?.stop(), tenantSync?.stop(), syncerStopping, policyServer?.stop()]).then(() => true), SOCKETS_CLOSE_MS);
    if (!closed) logger.warn({ waitedMs: SOCKETS_CLOSE_MS }, 'some connections did not close in time: leaving them');
    logger.info({ serial: publisher.serial, stateWritten: publisher.zone !== undefined }, publisher.zone ? 'stopped; state written' : 'stopped');
  }
}

function countHosts(config: Config): number {
  return config.pools.reduce((sum, pool) => sum + pool.hosts.length, 0);
}

/** How long resolvers may cache the transport records: the TTL, raised to the floor of any provider. */
function transportTtlMs(config: Config, services: Services): number {
  return Math.max(config.ttl, services.ttlFloor?.(config) ?? 0) * 1000;
}

/** Where the zone is published, for the MTA-STS safety rule: the built-in nameserver, each provider. */
function publishingPlaces(config: Config, services: Services): string[] {
  return [...(config.nameserver && services.nameserver ? ['nameserver'] : []), ...(services.syncer ? (services.providerNames?.(config) ?? []) : [])];
}

function httpToken(config: Config, env: Record<string, string | undefined>): string | undefined {
  const name = config.http?.tokenEnv;
  if (name === undefined) return undefined;
  const token = env[name];
  if (!token) throw new MxpoolError('HTTP_API', 'http.tokenEnv', `the environment variable ${name} is not set; serve needs it for the API token (or remove http.tokenEnv to listen on loopback without one)`, { fatal: true });
  return token;
}

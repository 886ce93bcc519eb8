// The one file that imports the etcd client (etcd3, gRPC). Everything the cluster does with etcd
// goes through these few calls, each under a deadline (`cluster.etcd.timeout`), so a member that
// hangs costs one timeout and the pool moves on to the next member.
import { Etcd3, EtcdLeaseInvalidError, type IKeyValue, type Lease, type Namespace, type IOptions, type Watcher } from 'etcd3';
import type { KvEvent } from './view.ts';

export interface EtcdSettings {
  endpoints: string[];
  /** every key lives under `<prefix>/` */
  prefix: string;
  timeoutMs: number;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer };
  auth?: { username: string; password: string };
}

export interface Put {
  key: string;
  value: string | Buffer;
  /** attach to this lease (the key goes when the lease does) */
  lease?: string;
}

/** The lease is gone from etcd (expired or revoked): its keys are gone too. */
export class LeaseGoneError extends Error {}

export class EtcdClient {
  readonly #client: Etcd3;
  readonly #ns: Namespace;
  readonly #timeoutMs: number;
  readonly #leases = new Map<string, Lease>();

  constructor(settings: EtcdSettings) {
    this.#timeoutMs = settings.timeoutMs;
    const options: IOptions = {
      hosts: settings.endpoints,
      dialTimeout: settings.timeoutMs,
      // unary calls get a deadline; the watch stream lives on (it reconnects by itself)
      defaultCallOptions: (context) => (context.isStream ? {} : { deadline: Date.now() + this.#timeoutMs }),
    };
    if (settings.tls) {
      options.credentials = { rootCertificate: settings.tls.ca as Buffer, ...(settings.tls.key ? { privateKey: settings.tls.key } : {}), ...(settings.tls.cert ? { certChain: settings.tls.cert } : {}) };
    }
    if (settings.auth) options.auth = { username: settings.auth.username, password: settings.auth.password };
    this.#client = new Etcd3(options);
    this.#ns = this.#client.namespace(`${settings.prefix}/`);
  }

  /** A new lease of `ttlSeconds`; renewed only by `keepAlive` (we decide when it is lost). */
  async grantLease(ttlSeconds: number): Promise<string> {
    const lease = this.#ns.lease(ttlSeconds, { autoKeepAlive: false });
    lease.on('lost', () => undefined); // reported through keepAlive's result instead
    const id = await lease.grant();
    this.#leases.set(id, lease);
    return id;
  }

  /** Renews the lease once; throws LeaseGoneError when etcd no longer has it. */
  async keepAlive(leaseId: string): Promise<void> {
    const lease = this.#leases.get(leaseId);
    if (!lease) throw new LeaseGoneError(`lease ${leaseId} unknown`);
    try {
      await lease.keepaliveOnce({ deadline: Date.now() + this.#timeoutMs });
    } catch (error) {
      if (error instanceof EtcdLeaseInvalidError) {
        this.#leases.delete(leaseId);
        throw new LeaseGoneError(`lease ${leaseId} expired`);
      }
      throw error;
    }
  }

  /** Revokes the lease: its keys vanish at once (a clean shutdown leaves the cluster immediately). */
  async revoke(leaseId: string): Promise<void> {
    const lease = this.#leases.get(leaseId);
    this.#leases.delete(leaseId);
    await lease?.revoke({ deadline: Date.now() + this.#timeoutMs });
  }

  /** Forgets the lease without telling etcd (it expires on its own). */
  drop(leaseId: string): void {
    this.#leases.get(leaseId)?.release();
    this.#leases.delete(leaseId);
  }

  /**
   * Creates `guard` and the other puts in one transaction, only if `guard` does not exist yet.
   * Returns the create revision of `guard`, or undefined when someone else holds it.
   */
  async createIfAbsent(guard: Put, others: Put[]): Promise<number | undefined> {
    const result = await this.#ns
      .if(guard.key, 'Create', '==', 0)
      .then(...[guard, ...others].map((put) => this.#put(put)))
      .commit();
    return result.succeeded ? Number(result.header.revision) : undefined;
  }

  /** Puts and deletes in one transaction, only while `guard` has create revision `revision`. */
  async writeGuarded(guard: { key: string; createRevision: number }, puts: Put[], deletes: string[] = [], also?: { key: string; modRevision: number }): Promise<number | undefined> {
    let txn = this.#ns.if(guard.key, 'Create', '==', guard.createRevision);
    if (also) txn = txn.and(also.key, 'Mod', '==', also.modRevision);
    const result = await txn.then(...puts.map((put) => this.#put(put)), ...deletes.map((key) => this.#ns.delete().key(key))).commit();
    return result.succeeded ? Number(result.header.revision) : undefined;
  }

  /** A put or delete outside any guard (operator actions: they need no session). */
  async set(key: string, value: string | undefined): Promise<number> {
    if (value === undefined) {
      const result = await this.#ns.delete().key(key).exec();
      return Number(result.header.revision);
    }
    const result = await this.#ns.put(key).value(value).exec();
    return Number(result.header.revision);
  }

  /** Everything under the prefix, and the revision it was read at. */
  async readAll(): Promise<{ events: KvEvent[]; revision: number }> {
    const result = await this.#ns.getAll().exec();
    return { events: result.kvs.map((kv) => event('put', kv)), revision: Number(result.header.revision) };
  }

  /** One watch on the whole prefix from `fromRevision`; returns its cancel function. */
  async watch(fromRevision: number, onEvents: (events: KvEvent[]) => void, onTrouble: (error: Error) => void): Promise<() => Promise<void>> {
    const watcher: Watcher = await this.#ns.watch().prefix('').startRevision(String(fromRevision)).create();
    watcher.on('data', (response) => onEvents(response.events.map((e) => event(e.type === 'Put' ? 'put' : 'delete', e.kv))));
    watcher.on('error', (error) => onTrouble(error));
    watcher.on('disconnected', (error) => onTrouble(error));
    return () => watcher.cancel();
  }

  close(): void {
    for (const lease of this.#leases.values()) lease.release();
    this.#leases.clear();
    this.#client.close();
  }

  #put(put: Put) {
    const builder = this.#ns.put(put.key).value(put.value);
    return put.lease !== undefined ? builder.lease(put.lease) : builder;
  }
}

function event(type: 'put' | 'delete', kv: IKeyValue): KvEvent {
  return { type, key: kv.key.toString('utf8'), value: kv.value, createRevision: Number(kv.create_revision), modRevision: Number(kv.mod_revision) };
}

// The only file that imports the Route 53 SDK: a narrow client with paged listing (the SDK has no
// paginator for ListResourceRecordSets), atomic change batches, waiting for INSYNC, and our own
// retry of Throttling / PriorRequestNotComplete with exponential backoff and full jitter.
import { Route53Client, ListResourceRecordSetsCommand, ChangeResourceRecordSetsCommand, GetChangeCommand, type Change as SdkChange, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { Logger } from '../../src/log.ts';
import { MxpoolError } from '../../src/errors.ts';
import type { ApiCounter, Sleep } from '../provider.ts';
import { fullJitter, withRetries, type RetryOptions } from '../retry.ts';
import { unescapeOctal } from './values.ts';

export interface Rrset {
  /** lower-case FQDN with the trailing dot, as Route 53 returns it (octal escapes undone) */
  name: string;
  type: string;
  setIdentifier?: string;
  weight?: number;
  ttl: number;
  values: string[];
}

export interface RrsetChange {
  action: 'CREATE' | 'DELETE' | 'UPSERT';
  set: Rrset;
}

export interface Route53Api {
  listAll(): Promise<Rrset[]>;
  /** one ChangeResourceRecordSets call (atomic); returns the change id */
  change(changes: readonly RrsetChange[], comment: string): Promise<string>;
  waitInsync(changeId: string): Promise<void>;
}

export interface Route53ClientOptions {
  hostedZoneId: string;
  region: string;
  endpoint?: string;
  logger: Logger;
  sleep: Sleep;
  random: () => number;
  counter?: ApiCounter;
  /** page size asked of ListResourceRecordSets (Route 53 returns at most 300) */
  pageSize?: number;
  /** attempts for a throttled call before giving up */
  maxAttempts?: number;
  /** first backoff step; doubles each attempt (full jitter), capped at 20 s */
  baseDelayMs?: number;
  insyncPollMs?: number;
  insyncTimeoutMs?: number;
}

const RETRYABLE = new Set(['Throttling', 'ThrottlingException', 'PriorRequestNotComplete', 'RequestLimitExceeded']);
const MAX_DELAY_MS = 20_000;

interface SdkError {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function toRrset(set: ResourceRecordSet): Rrset {
  const rrset: Rrset = {
    name: unescapeOctal(set.Name ?? '').toLowerCase(),
    type: set.Type ?? '',
    ttl: set.TTL ?? 0,
    values: (set.ResourceRecords ?? []).map((r) => r.Value ?? ''),
  };
  if (set.SetIdentifier !== undefined) rrset.setIdentifier = set.SetIdentifier;
  if (set.Weight !== undefined) rrset.weight = set.Weight;
  return rrset;
}

function toSdk(change: RrsetChange): SdkChange {
  const { set } = change;
  const rrset: ResourceRecordSet = { Name: set.name, Type: set.type as ResourceRecordSet['Type'], TTL: set.ttl, ResourceRecords: set.values.map((Value) => ({ Value })) };
  if (set.setIdentifier !== undefined) {
    rrset.SetIdentifier = set.setIdentifier;
    rrset.Weight = set.weight ?? 0;
  }
  return { Action: change.action, ResourceRecordSet: rrset };
}

export function createRoute53Client(options: Route53ClientOptions): Route53Api {
  const sdk = new Route53Client({
    region: options.region,
    // our own retry loop below: explicit backoff with an injectable clock, and no blind retry of writes
    maxAttempts: 1,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const zoneId = options.hostedZoneId.replace(/^\/hostedzone\//, '');
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelay = options.baseDelayMs ?? 250;
  const log = options.logger;

  const retries: RetryOptions = {
    provider: 'route53',
    logger: log,
    sleep: options.sleep,
    counter: options.counter,
    maxAttempts,
    retrying: 'route53: retrying after a throttled or failed call',
    judge(raw, retryServerErrors) {
      const error = raw as SdkError;
      const code = error.name ?? 'Error';
      const status = error.$metadata?.httpStatusCode;
      return {
        retryable: RETRYABLE.has(code) || (retryServerErrors && (status === undefined || status >= 500)),
        unreachable: status === undefined && !RETRYABLE.has(code),
        detail: `${status ? ` (HTTP ${status})` : ''}: ${code}: ${error.message ?? ''}`.trimEnd(),
        delayMs: (attempt) => fullJitter(options.random, baseDelay, MAX_DELAY_MS, attempt),
        fields: { code },
      };
    },
  };
  const call = <T>(operation: string, send: () => Promise<T>, retryServerErrors: boolean) => withRetries(retries, operation, send, retryServerErrors);

  return {
    async listAll() {
      const all: Rrset[] = [];
      let start: { name?: string; type?: string; identifier?: string } = {};
      for (;;) {
        const page = await call(
          'ListResourceRecordSets',
          () =>
            sdk.send(
              new ListResourceRecordSetsCommand({
                HostedZoneId: zoneId,
                ...(options.pageSize ? { MaxItems: options.pageSize } : {}),
                ...(start.name ? { StartRecordName: start.name } : {}),
                ...(start.type ? { StartRecordType: start.type as ResourceRecordSet['Type'] } : {}),
                ...(start.identifier ? { StartRecordIdentifier: start.identifier } : {}),
              }),
            ),
          true, // a read is safe to repeat
        );
        all.push(...(page.ResourceRecordSets ?? []).map(toRrset));
        if (!page.IsTruncated) return all;
        start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
      }
    },

    async change(changes, comment) {
      // Not retried on 5xx: the batch may have been applied; the next cycle re-reads and re-plans.
      const answer = await call(
        'ChangeResourceRecordSets',
        () => sdk.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Comment: comment, Changes: changes.map(toSdk) } })),
        false,
      );
      return (answer.ChangeInfo?.Id ?? '').replace(/^\/change\//, '');
    },

    async waitInsync(changeId) {
      const deadline = options.insyncTimeoutMs ?? 300_000;
      const poll = options.insyncPollMs ?? 2_000;
      for (let waited = 0; waited <= deadline; waited += poll) {
        const answer = await call('GetChange', () => sdk.send(new GetChangeCommand({ Id: changeId })), true);
        if (answer.ChangeInfo?.Status === 'INSYNC') return;
        await options.sleep(poll);
      }
      throw new MxpoolError('PROVIDER_API', 'route53', `change ${changeId} not INSYNC after ${Math.round(deadline / 1000)} s`);
    },
  };
}

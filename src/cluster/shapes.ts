// Runtime shapes of everything read back from etcd: a peer (or a stranger with write access to
// the prefix) may have written anything, so each value is checked before it is believed.
import { z } from 'zod';
import type { AgreedVersion, MemberInfo, OperatorAction, OperatorDisable, Vote } from './types.ts';
import { RECORD_TYPES, type DesiredZone, type RecordType } from '../model.ts';

const ms = z.number().int().nonnegative();
const name = z.string().min(1).max(253);
const shortText = z.string().max(300);

export const voteShape: z.ZodType<Vote> = z.strictObject({ vote: z.enum(['up', 'down']), since: ms, reason: shortText });

export const memberShape: z.ZodType<MemberInfo> = z.strictObject({
  node: z.string().min(1).max(63),
  startedAt: ms,
  http: z.string().max(300).nullable(),
  nameserver: z.array(z.string().max(300)).max(32),
  configDigest: z.string().max(128),
  stsId: z.string().max(32).optional(),
});

export const operatorShape: z.ZodType<OperatorAction> = z.strictObject({ drained: z.literal(true), at: ms, by: z.string().min(1).max(63) });

export const disableShape: z.ZodType<OperatorDisable> = z.strictObject({ disabled: z.literal(true), at: ms, by: z.string().min(1).max(63) });

const healthState = z.enum(['healthy', 'unhealthy', 'draining', 'disabled']);

export const versionShape: z.ZodType<AgreedVersion> = z.strictObject({
  by: z.string().min(1).max(63),
  at: ms,
  serials: z.record(name, z.number().int().min(0).max(0xffffffff)),
  hosts: z.record(name, z.strictObject({ state: healthState, probed: z.enum(['healthy', 'unhealthy']), since: ms, withdrawnAt: ms.optional() })),
  lastKnownGood: z.record(z.string().max(100), z.array(name).max(100_000)),
  retired: z.array(z.strictObject({ address: z.string().max(64), until: ms, host: name.optional() })).max(100_000),
  tenants: z.record(name, z.strictObject({ serial: z.number().int().min(0).max(0xffffffff), hash: z.string().max(300) })).optional(),
});

const rdata = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('A'), address: z.string().max(64) }),
  z.strictObject({ type: z.literal('AAAA'), address: z.string().max(64) }),
  z.strictObject({ type: z.literal('CNAME'), target: name }),
  z.strictObject({ type: z.literal('NS'), target: name }),
  z.strictObject({ type: z.literal('PTR'), target: name }),
  z.strictObject({ type: z.literal('MX'), preference: z.number().int().min(0).max(65535), exchange: name }),
  z.strictObject({ type: z.literal('TXT'), strings: z.array(z.string().max(255)).max(256) }),
  z.strictObject({ type: z.literal('SRV'), priority: z.number().int().min(0).max(65535), weight: z.number().int().min(0).max(65535), port: z.number().int().min(0).max(65535), target: name }),
  z.strictObject({ type: z.literal('CAA'), flags: z.number().int().min(0).max(255), tag: z.string().max(255), value: z.string().max(4096) }),
  z.strictObject({ type: z.literal('TLSA'), usage: z.number().int().min(0).max(255), selector: z.number().int().min(0).max(255), matchingType: z.number().int().min(0).max(255), data: z.string().max(131_072).regex(/^[0-9a-fA-F]*$/) }),
  z.strictObject({ type: z.literal('SOA'), mname: name, rname: name, serial: z.number().int().min(0).max(0xffffffff), refresh: ms, retry: ms, expire: ms, minimum: ms }),
]);

const recordSet = z.strictObject({
  name,
  type: z.enum(RECORD_TYPES as [RecordType, ...RecordType[]]),
  ttl: z.number().int().min(0).max(2 ** 31 - 1),
  values: z.array(z.strictObject({ data: rdata, weight: z.number().int().min(0).max(255).optional(), host: name.optional() })).max(100_000),
  source: z.enum(['zone', 'pool', 'host', 'auth', 'static']),
  pool: z.string().max(100).optional(),
});

export const zoneShape: z.ZodType<DesiredZone> = z.strictObject({
  zone: name,
  serial: z.number().int().min(0).max(0xffffffff),
  sets: z.array(recordSet).max(1_000_000),
  notes: z.array(z.string().max(2000)).max(10_000),
  published: z.record(z.string().max(100), z.array(name)).optional(),
  spfWithheld: z.boolean().optional(),
  // DANE mismatches and MTA-STS holds the leader's zone was built with (src/auth/transport.ts)
  transport: z
    .strictObject({
      mismatches: z.record(name, z.strictObject({ key: z.string().max(300), until: ms.optional() })),
      heldMx: z.record(name, ms),
      stsWaiting: z.record(name, z.array(z.string().max(100)).max(100)).optional(),
      nextChange: ms.optional(),
    })
    .optional(),
}) as z.ZodType<DesiredZone>;

// This node's picture of the cluster: everything under the prefix, as the initial read and the one
// watch deliver it, checked on the way in. A value that does not parse, a vote about a host the
// config does not have, a zone this node does not serve, a key nobody should write: a finding
// (logged once, listed in /api/state), never a crash, and never believed.
import type { ZodType } from 'zod';
import type { DesiredZone } from '../model.ts';
import type { AgreedVersion, ClusterFinding, MemberInfo, OperatorAction, OperatorDisable, Vote } from './types.ts';
import { decodeLarge, decodeSmall, ValueError } from './codec.ts';
import { parseKey } from './keys.ts';
import { disableShape, memberShape, operatorShape, versionShape, voteShape, zoneShape } from './shapes.ts';

export interface KvEvent {
  type: 'put' | 'delete';
  /** relative to the prefix */
  key: string;
  value: Buffer;
  createRevision: number;
  modRevision: number;
}

/** Findings kept at once; past this the oldest go (a flood of garbage must not grow memory). */
const MAX_FINDINGS = 100;

export class ClusterView {
  readonly members = new Map<string, { info: MemberInfo; createRevision: number }>();
  readonly elections = new Map<string, number>();
  readonly votes = new Map<string, Map<string, Vote>>();
  readonly operator = new Map<string, OperatorAction>();
  readonly disabled = new Map<string, OperatorDisable>();
  readonly zones = new Map<string, DesiredZone>();
  version: { value: AgreedVersion; revision: number } | undefined;
  readonly #findings = new Map<string, ClusterFinding>();
  readonly #hosts: ReadonlySet<string>;
  readonly #zoneNames: ReadonlySet<string>;
  readonly #now: () => number;
  readonly #onFinding: (finding: ClusterFinding) => void;
  readonly #onVoteDown: ((node: string, host: string) => void) | undefined;

  constructor(options: {
    hosts: ReadonlySet<string>;
    zones: ReadonlySet<string>;
    now: () => number;
    onFinding: (finding: ClusterFinding) => void;
    /** a node's vote on a host just went from up to down (not a first read, not a vote re-published at a rejoin) */
    onVoteDown?: (node: string, host: string) => void;
  }) {
    this.#hosts = options.hosts;
    this.#zoneNames = options.zones;
    this.#now = options.now;
    this.#onFinding = options.onFinding;
    this.#onVoteDown = options.onVoteDown;
  }

  /** Forgets everything but the findings (before a full re-read). */
  clear(): void {
    this.members.clear();
    this.elections.clear();
    this.votes.clear();
    this.operator.clear();
    this.disabled.clear();
    this.zones.clear();
    this.version = undefined;
  }

  get findings(): ClusterFinding[] {
    return [...this.#findings.values()];
  }

  /** The live node whose election key is oldest, or undefined. */
  leader(): string | undefined {
    let best: string | undefined;
    let bestRevision = Number.POSITIVE_INFINITY;
    for (const [node, revision] of this.elections) {
      if (revision < bestRevision) {
        best = node;
        bestRevision = revision;
      }
    }
    return best;
  }

  apply(event: KvEvent): void {
    const parsed = parseKey(event.key);
    this.#findings.delete(event.key);
    const put = event.type === 'put';
    try {
      switch (parsed.kind) {
        case 'member':
          if (!put) this.members.delete(parsed.node);
          else {
            const info = this.#small(event.value, memberShape);
            if (info.node !== parsed.node) throw new ValueError(`names node ${info.node}, under the key of ${parsed.node}`);
            this.members.set(parsed.node, { info, createRevision: event.createRevision });
          }
          return;
        case 'election':
          if (put) this.elections.set(parsed.node, event.createRevision);
          else this.elections.delete(parsed.node);
          return;
        case 'vote': {
          const mine = this.votes.get(parsed.node) ?? new Map<string, Vote>();
          const before = mine.get(parsed.host)?.vote;
          if (!put) mine.delete(parsed.host);
          else {
            if (!this.#hosts.has(parsed.host)) throw new ValueError(`a vote about ${parsed.host}, which is no host of this node's config`);
            mine.set(parsed.host, this.#small(event.value, voteShape));
          }
          if (mine.size > 0) this.votes.set(parsed.node, mine);
          else this.votes.delete(parsed.node);
          if (before === 'up' && mine.get(parsed.host)?.vote === 'down') this.#onVoteDown?.(parsed.node, parsed.host);
          return;
        }
        case 'operator':
          if (!put) this.operator.delete(parsed.host);
          else {
            if (!this.#hosts.has(parsed.host)) throw new ValueError(`an operator action on ${parsed.host}, which is no host of this node's config`);
            this.operator.set(parsed.host, this.#small(event.value, operatorShape));
          }
          return;
        case 'disabled':
          if (!put) this.disabled.delete(parsed.host);
          else {
            if (!this.#hosts.has(parsed.host)) throw new ValueError(`an operator action on ${parsed.host}, which is no host of this node's config`);
            this.disabled.set(parsed.host, this.#small(event.value, disableShape));
          }
          return;
        case 'agreed':
          this.version = put ? { value: checked(decodeLarge(event.value), versionShape), revision: event.modRevision } : undefined;
          return;
        case 'zone':
          if (!put) this.zones.delete(parsed.zone);
          else {
            if (!this.#zoneNames.has(parsed.zone)) throw new ValueError(`zone ${parsed.zone}, which this node does not serve`);
            const zone = checked(decodeLarge(event.value), zoneShape);
            if (zone.zone !== parsed.zone) throw new ValueError(`holds zone ${zone.zone}, under the key of ${parsed.zone}`);
            this.zones.set(parsed.zone, zone);
          }
          return;
        default:
          if (put) throw new ValueError('a key mxpool does not use');
      }
    } catch (error) {
      if (!(error instanceof ValueError)) throw error;
      // what was there before stays dropped: a value replaced by garbage is no longer believed
      if (parsed.kind === 'member') this.members.delete(parsed.node);
      if (parsed.kind === 'vote') this.votes.get(parsed.node)?.delete(parsed.host);
      if (parsed.kind === 'operator') this.operator.delete(parsed.host);
      if (parsed.kind === 'disabled') this.disabled.delete(parsed.host);
      this.#finding(event.key, error.message);
    }
  }

  /** Votes of nodes that are not live members (a stranger, or a lease that left keys behind). */
  strangers(): string[] {
    return [...this.votes.keys()].filter((node) => !this.members.has(node));
  }

  #small<T>(bytes: Buffer, shape: ZodType<T>): T {
    return checked(decodeSmall(bytes), shape);
  }

  #finding(key: string, message: string): void {
    const finding = { key, message, at: this.#now() };
    if (this.#findings.size >= MAX_FINDINGS) this.#findings.delete(this.#findings.keys().next().value as string);
    this.#findings.set(key, finding);
    this.#onFinding(finding);
  }
}

function checked<T>(value: unknown, shape: ZodType<T>): T {
  const result = shape.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ValueError(`unexpected shape${issue ? ` at ${issue.path.join('.') || 'the top'}: ${issue.message}` : ''}`);
}

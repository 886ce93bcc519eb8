// The key layout under the cluster's prefix (every key is relative to `<prefix>/`):
//   members/<node>        MemberInfo JSON        under the node's lease
//   election/<node>       the node's name        under the node's lease; the oldest (lowest create
//                                                revision) is the leader — etcd's election recipe
//   votes/<node>/<host>   Vote JSON              under the node's lease, written when its verdict changes
//   operator/<host>       OperatorAction JSON    no lease: a drain outlives every node
//   disabled/<host>       OperatorDisable JSON   no lease: a run-time disable, likewise
//   agreed                AgreedVersion, gzip    no lease: written by the leader only
//   zones/<zone>          DesiredZone, gzip      no lease: written with `agreed`, in one transaction
// PURE: names in, keys out, and back.

export type ParsedKey =
  | { kind: 'member'; node: string }
  | { kind: 'election'; node: string }
  | { kind: 'vote'; node: string; host: string }
  | { kind: 'operator'; host: string }
  | { kind: 'disabled'; host: string }
  | { kind: 'agreed' }
  | { kind: 'zone'; zone: string }
  | { kind: 'unknown' };

const NODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const NAME = /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/;

export const keys = {
  member: (node: string) => `members/${node}`,
  election: (node: string) => `election/${node}`,
  vote: (node: string, host: string) => `votes/${node}/${host}`,
  operator: (host: string) => `operator/${host}`,
  disabled: (host: string) => `disabled/${host}`,
  agreed: 'agreed',
  zone: (zone: string) => `zones/${zone}`,
};

export function parseKey(key: string): ParsedKey {
  const parts = key.split('/');
  const [head, a, b] = parts;
  const node = (text: string | undefined) => text !== undefined && NODE.test(text);
  const dnsName = (text: string | undefined) => text !== undefined && text.length <= 253 && NAME.test(text);
  if (parts.length === 1 && head === 'agreed') return { kind: 'agreed' };
  if (parts.length === 2 && head === 'members' && node(a)) return { kind: 'member', node: a as string };
  if (parts.length === 2 && head === 'election' && node(a)) return { kind: 'election', node: a as string };
  if (parts.length === 2 && head === 'operator' && dnsName(a)) return { kind: 'operator', host: a as string };
  if (parts.length === 2 && head === 'disabled' && dnsName(a)) return { kind: 'disabled', host: a as string };
  if (parts.length === 2 && head === 'zones' && dnsName(a)) return { kind: 'zone', zone: a as string };
  if (parts.length === 3 && head === 'votes' && node(a) && dnsName(b)) return { kind: 'vote', node: a as string, host: b as string };
  return { kind: 'unknown' };
}

// MTA-STS in a cluster: every node runs its own policy server, and `mta-sts.<zone>` names them all,
// so a sender may fetch the policy from any of them. While the live nodes serve different policies
// (a rolling restart with a new config), a sender that sees a new `_mta-sts` id may fetch the old
// text from a node not yet restarted, and keep it under the new id — refusing a new MX host until
// the policy's max_age runs out. So while a live node serves another policy than the leader's, the
// leader keeps publishing the id already agreed, and names new to its policy wait (no deadline)
// for those nodes; once every node serves the same policy, the new id goes out and the one-TTL hold
// counts from there. PURE: the leader's transport state plus what each member says it serves.
import type { TransportState } from '../auth/transport.ts';
import type { MemberInfo } from './types.ts';

export function withMemberPolicies(state: TransportState | undefined, self: string, members: Iterable<MemberInfo>, agreedId: string | undefined, ownId: string | undefined): TransportState | undefined {
  if (!state?.stsPlaces || ownId === undefined) return state; // no auth.mtaSts: nothing is held
  // a node without a policy server (no stsId: no auth.mtaSts there) serves no policy to contradict
  const others = [...members].filter((member) => member.node !== self && member.stsId !== undefined && member.stsId !== ownId).map((member) => `node ${member.node}`);
  if (others.length === 0) return state;
  return { ...state, stsOthers: others, ...(agreedId !== undefined ? { stsPublishedId: agreedId } : {}) };
}

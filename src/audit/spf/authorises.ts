// Whether a domain's SPF policy authorises any sender at all: can some client address get "pass"?
// RFC 7208 2.6.3: only "pass" is "an explicit statement that the client is authorized"; neutral
// (?), softfail (~) and fail (-) authorise nobody. So "v=spf1 -all", "v=spf1 ~all" and
// "v=spf1 ?all" all say "this domain sends no mail", and "v=spf1 ip4:192.0.2.1 -all" does not.
// Read from the lookup tree already walked for the other rules (no extra DNS):
//  - a mechanism with the pass qualifier (+, written or implied) authorises: a, mx, ip4, ip6, ptr,
//    exists, +all — whether or not its lookup finds an address today;
//  - include: authorises when the included record does (include matches only on its pass);
//  - redirect= (only without an "all" mechanism, 6.1) authorises when the target record does;
//  - an include/redirect target that could not be read here (outside the zone without a
//    nameserver, a DNS failure, a macro) counts as authorising: unknown, and usually a mail
//    provider; a target with no record, a broken record or a loop gives permerror, never pass.
import type { Mechanism } from '../../auth/spf-syntax.ts';
import type { LookupNode, SpfTree } from './tree.ts';

/**
 * true: some address can pass; false: none can (or no SPF record at all); undefined: the domain's
 * own SPF record could not be read (DNS failure), so nothing can be said.
 * A record that is broken at the top (syntax error, several SPF records) counts as true: the domain
 * published a policy meant to authorise senders, and receivers' permerror does not make it stop sending.
 */
export function spfAuthorisesSender(tree: SpfTree): boolean | undefined {
  switch (tree.root.status) {
    case 'no-record':
      return false;
    case 'temperror':
    case 'unresolvable':
      return undefined;
    case 'syntax-error':
    case 'multiple-records':
      return true;
    default:
      return recordPasses(tree, tree.root.domain as string, []);
  }
}

function recordPasses(tree: SpfTree, name: string, stack: string[]): boolean {
  if (stack.includes(name)) return false; // a loop: permerror
  const record = tree.records.find((r) => r.name === name);
  if (!record) return targetUnknown(tree.root, name);
  if (!record.valid) return false;
  const hasAll = record.terms.some((t) => t.kind === 'mechanism' && t.name === 'all');
  for (const term of record.terms) {
    if (term.kind === 'modifier') {
      if (term.name === 'redirect' && !hasAll && targetPasses(tree, term.value, [...stack, name])) return true;
      continue;
    }
    if (term.qualifier !== '+') continue;
    if (term.name !== 'include' || targetPasses(tree, (term as Mechanism).domainSpec as string, [...stack, name])) return true;
  }
  return false;
}

function targetPasses(tree: SpfTree, target: string, stack: string[]): boolean {
  if (target.includes('%')) return true; // a macro: expanded per message, unknown here
  return recordPasses(tree, target.toLowerCase().replace(/\.$/, ''), stack);
}

/** A target with no visited record: false when it has none (or several, or closes a loop), else unknown: true. */
function targetUnknown(root: LookupNode, name: string): boolean {
  const permanent = (node: LookupNode): boolean =>
    (node.domain?.toLowerCase().replace(/\.$/, '') === name && (node.status === 'no-record' || node.status === 'multiple-records' || node.status === 'loop')) || node.children.some(permanent);
  return !permanent(root);
}

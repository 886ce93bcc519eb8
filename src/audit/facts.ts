// Shared, memoised facts several rules need: the domain's SPF record and lookup tree, and whether
// the domain sends mail at all. Computed once per audit through AuditContext.memo.
import { findSpf, type SpfLookup } from './spf/record.ts';
import { lookupTree, type SpfTree } from './spf/tree.ts';
import { spfAuthorisesSender } from './spf/authorises.ts';
import type { AuditContext } from './types.ts';
import { recordLabel } from './types.ts';

export interface SpfFacts {
  top: SpfLookup;
  tree: SpfTree;
}

export function spfFacts(context: AuditContext): Promise<SpfFacts> {
  return context.memo('spf', async () => ({
    top: await findSpf(context.resolver, context.domain),
    tree: await lookupTree(context.resolver, context.domain),
  }));
}

/** True for names the audited domain owns (its own records, not third-party includes). */
export function ownName(context: AuditContext, name: string): boolean {
  return name === context.domain || name.endsWith(`.${context.domain}`);
}

export function spfLabel(name: string, text?: string): string {
  return recordLabel(name, 'TXT', text);
}

/**
 * Whether the domain sends mail, and why mxpool thinks so: it has an outbound pool (config), or its
 * SPF record authorises some sender (some address can get "pass": see spf/authorises.ts;
 * "v=spf1 -all", "~all" and "?all" authorise nobody). A live domain's pools are unknown: its SPF
 * decides. Decides dmarc-missing's severity and whether p=none is worth a warning.
 */
export async function mailSending(context: AuditContext): Promise<{ sends: boolean | undefined; why: string }> {
  const outbound = context.config?.pools.find((pool) => pool.role === 'outbound');
  if (outbound) return { sends: true, why: `it has the outbound pool ${outbound.name}` };
  const { top, tree } = await spfFacts(context);
  const authorises = spfAuthorisesSender(tree);
  const pools = context.config ? 'no outbound pool, ' : '';
  switch (top.status) {
    case 'found':
      if (tree.root.status === 'syntax-error') return { sends: true, why: `it publishes an SPF record meant to authorise senders (broken: receivers get permerror): ${JSON.stringify(top.text)}` };
      return authorises ? { sends: true, why: `its SPF record authorises senders: ${JSON.stringify(top.text)}` } : { sends: false, why: `${pools}its SPF record authorises no sender: ${JSON.stringify(top.text)}` };
    case 'none':
      return { sends: false, why: `${pools}no SPF record` };
    case 'multiple':
      return { sends: true, why: 'it publishes SPF records meant to authorise senders (several: receivers get permerror)' };
    default:
      return { sends: undefined, why: `${pools}its SPF record could not be read: ${top.reason}` };
  }
}

export async function sendsMail(context: AuditContext): Promise<boolean> {
  return (await mailSending(context)).sends === true;
}

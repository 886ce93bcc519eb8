// Shared, memoised facts several rules need: the domain's SPF record and lookup tree, and whether
// the domain sends mail at all. Computed once per audit through AuditContext.memo.
import { findSpf, type SpfLookup } from './spf/record.ts';
import { lookupTree, type SpfTree } from './spf/tree.ts';
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
 * Whether the domain sends mail: it has outbound pools (config), or an SPF record that authorises
 * something (anything but a bare "v=spf1 -all"). Decides whether p=none is worth a warning.
 */
export async function sendsMail(context: AuditContext): Promise<boolean> {
  if (context.config) return context.config.pools.some((pool) => pool.role === 'outbound');
  const { top } = await spfFacts(context);
  if (top.status !== 'found') return top.status !== 'none';
  return !/^v=spf1\s+-all\s*$/i.test(top.text);
}

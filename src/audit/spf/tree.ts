// The worst-case lookup tree of an SPF record: every DNS-querying term (include, a, mx, ptr,
// exists, redirect) evaluated, as a receiver evaluating a non-matching address would. RFC 7208
// 4.6.4 limits the total to 10 lookups and the void ones to 2; each mx's address lookups to 10.
// MX targets' address lookups that come back empty are counted as void (worst case, documented).
import { hasMacro, parseSpf, type Mechanism, type Term } from '../../auth/spf-syntax.ts';
import { isVoid, recordsOf, type Answer, type Resolver } from '../resolver.ts';
import { findSpf, describeLookup } from './record.ts';

export type NodeStatus =
  | 'ok'
  | 'void'
  | 'temperror'
  | 'unresolvable'
  | 'macro'
  | 'loop'
  | 'no-record'
  | 'multiple-records'
  | 'syntax-error'
  | 'ignored'
  | 'per-client';

export interface LookupNode {
  /** the term as written, or the domain for the root */
  label: string;
  domain?: string;
  /** DNS lookups this term costs toward the limit of 10 */
  lookups: number;
  status: NodeStatus;
  /** what the lookup returned: the SPF record, the addresses, the reason of a failure */
  detail?: string;
  children: LookupNode[];
}

/** An SPF record met during the walk, for the per-record rules. */
export interface VisitedRecord {
  name: string;
  text: string;
  strings: string[];
  terms: Term[];
  /** reached via redirect= (its all decides the result) rather than include: */
  via: 'root' | 'include' | 'redirect';
  /** parsed without a syntax error (style rules skip broken records: spf-syntax covers them) */
  valid: boolean;
}

export interface TreeProblem {
  kind: 'loop' | 'no-record' | 'multiple-records' | 'syntax' | 'mx-targets' | 'temperror' | 'unresolvable' | 'macro';
  name: string;
  message: string;
}

export interface SpfTree {
  root: LookupNode;
  lookups: number;
  voids: number;
  records: VisitedRecord[];
  problems: TreeProblem[];
}

export const MAX_MX_TARGETS = 10;

export async function lookupTree(resolver: Resolver, domain: string): Promise<SpfTree> {
  const tree: SpfTree = { root: { label: domain, domain, lookups: 0, status: 'ok', children: [] }, lookups: 0, voids: 0, records: [], problems: [] };
  await walkRecord(resolver, domain, tree.root, [domain], tree, 'root');
  return tree;
}

async function walkRecord(resolver: Resolver, domain: string, node: LookupNode, stack: string[], tree: SpfTree, via: VisitedRecord['via']): Promise<void> {
  const lookup = await findSpf(resolver, domain);
  node.detail = describeLookup(lookup);
  if (lookup.status !== 'found') {
    node.status = lookup.status === 'none' ? 'no-record' : lookup.status === 'multiple' ? 'multiple-records' : lookup.status;
    if (via !== 'root' || lookup.status === 'temperror' || lookup.status === 'unresolvable') {
      const kind = lookup.status === 'none' ? 'no-record' : lookup.status === 'multiple' ? 'multiple-records' : lookup.status;
      tree.problems.push({ kind, name: domain, message: `${node.label}: ${node.detail}` });
    }
    return;
  }
  const parsed = parseSpf(lookup.text);
  tree.records.push({ name: domain, text: lookup.text, strings: lookup.strings, terms: parsed.terms, via, valid: parsed.ok });
  if (!parsed.ok) {
    node.status = 'syntax-error';
    if (via !== 'root') tree.problems.push({ kind: 'syntax', name: domain, message: `${domain}: column ${parsed.column}: ${parsed.message}` });
    return;
  }
  const hasAll = parsed.terms.some((t) => t.kind === 'mechanism' && t.name === 'all');
  for (const term of parsed.terms) {
    if (term.kind === 'modifier') {
      if (term.name !== 'redirect') continue;
      if (hasAll) {
        node.children.push({ label: term.text, lookups: 0, status: 'ignored', detail: 'ignored: the record has an "all" mechanism', children: [] });
        continue;
      }
      await followRecord(resolver, term.text, term.value, 'redirect', node, stack, tree);
      continue;
    }
    switch (term.name) {
      case 'include':
        await followRecord(resolver, term.text, term.domainSpec as string, 'include', node, stack, tree);
        break;
      case 'a':
      case 'exists':
        node.children.push(await addressNode(resolver, term, term.domainSpec ?? domain, tree));
        break;
      case 'mx':
        node.children.push(await mxNode(resolver, term, term.domainSpec ?? domain, tree));
        break;
      case 'ptr':
        node.children.push({ label: term.text, lookups: 1, status: 'per-client', detail: 'PTR of the client address, then up to 10 address lookups', children: [] });
        break;
      default:
        break; // ip4, ip6, all: no DNS
    }
  }
  tree.lookups = sumLookups(tree.root);
}

async function followRecord(resolver: Resolver, label: string, target: string, via: 'include' | 'redirect', parent: LookupNode, stack: string[], tree: SpfTree): Promise<void> {
  const child: LookupNode = { label, domain: target, lookups: 1, status: 'ok', children: [] };
  parent.children.push(child);
  if (hasMacro(target)) return macro(child, tree);
  const name = target.toLowerCase().replace(/\.$/, '');
  if (stack.includes(name)) {
    child.status = 'loop';
    child.detail = `loop: ${[...stack, name].join(' -> ')}`;
    tree.problems.push({ kind: 'loop', name, message: child.detail });
    return;
  }
  await walkRecord(resolver, name, child, [...stack, name], tree, via);
}

function macro(node: LookupNode, tree: SpfTree): void {
  node.status = 'macro';
  node.detail = 'macro: expanded per message, not resolvable here';
  tree.problems.push({ kind: 'macro', name: node.label, message: `${node.label} uses macros; its lookups depend on each message` });
}

async function addressNode(resolver: Resolver, term: Mechanism, target: string, tree: SpfTree): Promise<LookupNode> {
  const node: LookupNode = { label: term.text, domain: target, lookups: 1, status: 'ok', children: [] };
  if (hasMacro(target)) {
    macro(node, tree);
    return node;
  }
  const answers = term.name === 'exists' ? [await resolver.a(target)] : await Promise.all([resolver.a(target), resolver.aaaa(target)]);
  return settle(node, answers, tree);
}

function settle(node: LookupNode, answers: Answer<unknown>[], tree: SpfTree): LookupNode {
  const failed = answers.find((answer) => answer.status === 'temperror' || answer.status === 'unresolvable');
  if (failed && (failed.status === 'temperror' || failed.status === 'unresolvable')) {
    node.status = failed.status;
    node.detail = failed.reason;
    tree.problems.push({ kind: failed.status, name: node.domain ?? node.label, message: failed.reason });
  } else if (answers.every(isVoid)) {
    node.status = 'void';
    node.detail = 'no address (void lookup)';
    tree.voids++;
  } else {
    node.detail = answers.flatMap(recordsOf).join(', ');
  }
  return node;
}

async function mxNode(resolver: Resolver, term: Mechanism, target: string, tree: SpfTree): Promise<LookupNode> {
  const node: LookupNode = { label: term.text, domain: target, lookups: 1, status: 'ok', children: [] };
  if (hasMacro(target)) {
    macro(node, tree);
    return node;
  }
  const answer = await resolver.mx(target);
  if (answer.status === 'temperror' || answer.status === 'unresolvable' || isVoid(answer)) {
    return settle(node, [answer.status === 'ok' ? { status: 'nodata' } : answer], tree);
  }
  const exchanges = recordsOf(answer).sort((x, y) => x.preference - y.preference).map((mx) => mx.exchange);
  node.detail = `${exchanges.length} MX target(s)`;
  if (exchanges.length > MAX_MX_TARGETS) {
    tree.problems.push({ kind: 'mx-targets', name: target, message: `${term.text}: ${exchanges.length} MX targets, over the ${MAX_MX_TARGETS} address lookups one mx may cause (permerror)` });
  }
  for (const exchange of exchanges.slice(0, MAX_MX_TARGETS + 1)) {
    const child: LookupNode = { label: exchange, domain: exchange, lookups: 0, status: 'ok', children: [] };
    node.children.push(settle(child, await Promise.all([resolver.a(exchange), resolver.aaaa(exchange)]), tree));
  }
  return node;
}

function sumLookups(node: LookupNode): number {
  return node.lookups + node.children.reduce((sum, child) => sum + sumLookups(child), 0);
}

/** The tree as indented text, for `spf --explain` and the text report. */
export function renderTree(tree: SpfTree): string[] {
  const lines: string[] = [];
  const line = (node: LookupNode, prefix: string, last: boolean, top: boolean) => {
    const cost = node.lookups > 0 ? ` [${node.lookups} lookup]` : '';
    const status = node.status === 'ok' ? '' : ` (${node.status})`;
    const detail = node.detail ? `: ${node.detail}` : '';
    lines.push(top ? `${node.label}${status}${detail}` : `${prefix}${last ? '└─ ' : '├─ '}${node.label}${cost}${status}${detail}`);
    node.children.forEach((child, i) => line(child, top ? '' : `${prefix}${last ? '   ' : '│  '}`, i === node.children.length - 1, false));
  };
  line(tree.root, '', true, true);
  lines.push(`total: ${tree.lookups} DNS lookup(s) (limit 10), ${tree.voids} void (limit 2)`);
  return lines;
}

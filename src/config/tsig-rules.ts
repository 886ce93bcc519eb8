// TSIG in the config: key names unique, and every keyed transfer.allow / transfer.notify entry
// naming a key of nameserver.tsig. (The secrets themselves are checked when serve starts: they live
// in the environment, which `validate` on another machine cannot see.)
import type { Fail, View } from './rules.ts';

export function tsigRules(view: View, fail: Fail): void {
  const defined = new Map<string, number>();
  for (const k of view.indexes(['nameserver', 'tsig'])) {
    const name = view.text(['nameserver', 'tsig', k, 'name']);
    if (name === undefined) continue;
    const first = defined.get(name);
    if (first !== undefined) fail(['nameserver', 'tsig', k, 'name'], `a key name used once (${name} is already nameserver.tsig.${first})`);
    else defined.set(name, k);
  }
  const names = [...defined.keys()];
  const known = names.length === 0 ? 'nameserver.tsig defines no key' : `defined: ${names.join(', ')}`;
  for (const list of ['allow', 'notify'] as const) {
    for (const i of view.indexes(['nameserver', 'transfer', list])) {
      const key = view.text(['nameserver', 'transfer', list, i, 'key']);
      if (key !== undefined && !defined.has(key)) fail(['nameserver', 'transfer', list, i, 'key'], `the name of a key in nameserver.tsig (${key} is not one; ${known})`);
    }
  }
}

// Spreads N bench hosts over the peer's listeners as outbound pools. A config may hold an address
// once per pool, so each pool takes one listener of every peer address (20 hosts a pool).
export interface Listener {
  address: string;
  port: number;
}

export function poolsOver(listeners: readonly Listener[], hosts: number, domain: string) {
  const byAddress = new Map<string, Listener[]>();
  for (const l of listeners) byAddress.set(l.address, [...(byAddress.get(l.address) ?? []), l]);
  const perAddress = [...byAddress.values()];
  const pools: Array<{ name: string; role: 'outbound'; hosts: Array<{ name: string; address: string; port: number }> }> = [];
  for (let pool = 0, host = 0; host < hosts; pool++) {
    const members = [];
    for (const list of perAddress) {
      if (host >= hosts) break;
      const l = list[pool % list.length]!;
      members.push({ name: `h${host}.${domain}`, address: l.address, port: l.port });
      host += 1;
    }
    pools.push({ name: `p${pool}`, role: 'outbound', hosts: members });
  }
  return pools;
}

// The auditor's view of DNS. Every question gets a typed answer that says what happened instead of
// throwing: rules decide what an NXDOMAIN, a SERVFAIL or an unreachable name means for them.
export type DnsType = 'TXT' | 'A' | 'AAAA' | 'MX' | 'CNAME' | 'PTR';

export type Answer<T> =
  /** `signed`: the answer came with DNSSEC signatures or an AD bit (TLSA lookups report it) */
  | { status: 'ok'; records: T[]; ttl?: number; signed?: boolean }
  /** the name does not exist (RCODE 3) */
  | { status: 'nxdomain' }
  /** the name exists but has no record of this type */
  | { status: 'nodata' }
  /** SERVFAIL, timeout, refused by a resolver: try again later (SPF temperror) */
  | { status: 'temperror'; reason: string }
  /** nobody to ask: a name outside the audited zone and no nameserver given */
  | { status: 'unresolvable'; reason: string };

export interface MxRecord {
  preference: number;
  exchange: string;
}

/** A TLSA record (RFC 6698) with the association data as lower-case hex. */
export interface TlsaRecord {
  usage: number;
  selector: number;
  matchingType: number;
  data: string;
}

export interface Resolver {
  /** each TXT record as its character-strings */
  txt(name: string): Promise<Answer<string[]>>;
  a(name: string): Promise<Answer<string>>;
  aaaa(name: string): Promise<Answer<string>>;
  mx(name: string): Promise<Answer<MxRecord>>;
  cname(name: string): Promise<Answer<string>>;
  /** the names of the reverse record of an address (in-addr.arpa / ip6.arpa) */
  ptr(ip: string): Promise<Answer<string>>;
  /** TLSA records, with `signed` on the answer; absent: the resolver cannot ask (rules skip) */
  tlsa?(name: string): Promise<Answer<TlsaRecord>>;
}

/** "void" in RFC 7208 4.6.4 terms: the question was answered, with nothing. */
export function isVoid(answer: Answer<unknown>): boolean {
  return answer.status === 'nxdomain' || answer.status === 'nodata' || (answer.status === 'ok' && answer.records.length === 0);
}

export function recordsOf<T>(answer: Answer<T>): T[] {
  return answer.status === 'ok' ? answer.records : [];
}

export function describeFailure(answer: Answer<unknown>): string {
  switch (answer.status) {
    case 'ok':
      return 'answered';
    case 'nxdomain':
      return 'no such name (NXDOMAIN)';
    case 'nodata':
      return 'no record of that type';
    default:
      return answer.reason;
  }
}

export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The reverse-lookup name of an address: 4.3.2.1.in-addr.arpa or the nibble form for IPv6. */
export function reverseName(ip: string, parsed: { family: 4 | 6; value: bigint }): string {
  if (parsed.family === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = parsed.value.toString(16).padStart(32, '0');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

/** Memoises every question for the length of one audit (rules share lookups). */
export function cachingResolver(inner: Resolver): Resolver {
  const cache = new Map<string, Promise<Answer<unknown>>>();
  const memo = <T>(kind: string, key: string, ask: () => Promise<Answer<T>>): Promise<Answer<T>> => {
    const id = `${kind}:${key.toLowerCase()}`;
    let hit = cache.get(id);
    if (!hit) {
      hit = ask();
      cache.set(id, hit);
    }
    return hit as Promise<Answer<T>>;
  };
  const tlsa = inner.tlsa?.bind(inner);
  return {
    ...(tlsa ? { tlsa: (name: string) => memo('TLSA', name, () => tlsa(name)) } : {}),
    txt: (name) => memo('TXT', name, () => inner.txt(name)),
    a: (name) => memo('A', name, () => inner.a(name)),
    aaaa: (name) => memo('AAAA', name, () => inner.aaaa(name)),
    mx: (name) => memo('MX', name, () => inner.mx(name)),
    cname: (name) => memo('CNAME', name, () => inner.cname(name)),
    ptr: (ip) => memo('PTR', ip, () => inner.ptr(ip)),
  };
}

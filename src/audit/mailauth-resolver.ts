// Adapts our Resolver to the callback mailauth's spf() takes: node:dns-style answers, and errors
// with node:dns codes so mailauth classifies them (ENOTFOUND/ENODATA void, the rest temperror).
import type { Answer, Resolver } from './resolver.ts';

export type MailauthResolver = (name: string, type: string) => Promise<unknown[]>;

export function mailauthResolver(resolver: Resolver): MailauthResolver {
  return async (name, type) => {
    switch (type.toUpperCase()) {
      case 'TXT':
        return unwrap(name, await resolver.txt(name));
      case 'A':
        return unwrap(name, await resolver.a(name));
      case 'AAAA':
        return unwrap(name, await resolver.aaaa(name));
      case 'MX':
        return unwrap(name, await resolver.mx(name)).map((mx) => ({ exchange: mx.exchange, priority: mx.preference }));
      case 'PTR':
        return unwrap(name, await ptrByName(resolver, name));
      default:
        throw dnsError('ENODATA', name);
    }
  };
}

function unwrap<T>(name: string, answer: Answer<T>): T[] {
  switch (answer.status) {
    case 'ok':
      if (answer.records.length === 0) throw dnsError('ENODATA', name);
      return answer.records;
    case 'nxdomain':
      throw dnsError('ENOTFOUND', name);
    case 'nodata':
      throw dnsError('ENODATA', name);
    case 'temperror':
      throw dnsError('ETIMEOUT', name, answer.reason);
    case 'unresolvable':
      throw dnsError('EUNRESOLVABLE', name, answer.reason);
  }
}

/** mailauth asks PTR by reverse name; our Resolver asks by address: turn the name back. */
async function ptrByName(resolver: Resolver, name: string): Promise<Answer<string>> {
  const ip = addressOfReverseName(name);
  return ip ? resolver.ptr(ip) : { status: 'nxdomain' };
}

export function addressOfReverseName(name: string): string | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '');
  if (lower.endsWith('.in-addr.arpa')) {
    const octets = lower.slice(0, -'.in-addr.arpa'.length).split('.');
    return octets.length === 4 ? octets.reverse().join('.') : undefined;
  }
  if (lower.endsWith('.ip6.arpa')) {
    const nibbles = lower.slice(0, -'.ip6.arpa'.length).split('.');
    if (nibbles.length !== 32) return undefined;
    const hex = nibbles.reverse().join('');
    return hex.match(/.{4}/g)?.join(':');
  }
  return undefined;
}

function dnsError(code: string, name: string, reason?: string): Error {
  const error = new Error(reason ?? `${code} ${name}`) as Error & { code: string; hostname: string };
  error.code = code;
  error.hostname = name;
  return error;
}

// TSIG algorithms (RFC 8945 6, RFC 4635): the HMAC-SHA2 family. The older HMAC-MD5 and HMAC-SHA1
// are not offered: a request signed with them is answered BADKEY like any unknown algorithm.
export const TSIG_ALGORITHMS = {
  'hmac-sha256': { hash: 'sha256', size: 32 },
  'hmac-sha384': { hash: 'sha384', size: 48 },
  'hmac-sha512': { hash: 'sha512', size: 64 },
} as const;

export type TsigAlgorithm = keyof typeof TSIG_ALGORITHMS;

export const TSIG_ALGORITHM_NAMES = Object.keys(TSIG_ALGORITHMS) as TsigAlgorithm[];

/** The algorithm a wire name (any case, with or without the trailing dot) stands for. */
export function algorithmByName(name: string): TsigAlgorithm | undefined {
  const lower = name.toLowerCase().replace(/\.$/, '');
  return Object.hasOwn(TSIG_ALGORITHMS, lower) ? (lower as TsigAlgorithm) : undefined;
}

/**
 * RFC 8945 5.2.2.1: a MAC may be truncated, but never below the larger of 10 octets and half the
 * hash output; that is also our local minimum, so BADTRUNC is never needed.
 */
export function minimumMacSize(algorithm: TsigAlgorithm): number {
  return Math.max(10, TSIG_ALGORITHMS[algorithm].size / 2);
}

/** RFC 8945 5.2.3: the default and usual fudge, 5 minutes. */
export const TSIG_FUDGE = 300;

/** A shared secret is at least this long (128 bits) and at most this long: anything else is a mistake. */
export const MIN_SECRET_OCTETS = 16;
export const MAX_SECRET_OCTETS = 512;

/** TSIG error codes (RFC 8945 3) carried in the TSIG record's Error field, with RCODE NOTAUTH. */
export const TSIG_ERROR = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADTRUNC: 22 } as const;

export function tsigErrorName(code: number): string {
  const found = Object.entries(TSIG_ERROR).find(([, value]) => value === code);
  return found ? found[0] : `TSIG error ${code}`;
}

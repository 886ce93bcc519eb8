// SOA serials: date-based YYYYMMDDnn while that grows, else previous + 1 — strictly increasing.

/** The next serial after `previous` at `now` (UTC date). Never returns a value <= previous. */
export function nextSerial(previous: number, now: Date): number {
  const dated = (now.getUTCFullYear() * 10000 + (now.getUTCMonth() + 1) * 100 + now.getUTCDate()) * 100;
  const next = dated > previous ? dated : previous + 1;
  // RFC 1982: a serial is 32 bits; wrapping would look like a decrease to secondaries.
  if (next > 0xffffffff) throw new RangeError(`SOA serial ${previous} cannot grow further within 32 bits`);
  return next;
}

/** RFC 1982 serial number arithmetic: a comes before b. */
export function serialBefore(a: number, b: number): boolean {
  return a !== b && ((a < b && b - a < 0x80000000) || (a > b && a - b > 0x80000000));
}

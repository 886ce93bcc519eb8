// TXT character-strings hold at most 255 octets; longer values are split (RFC 7208 3.3: the
// receiver concatenates them without adding spaces, so a split may fall anywhere).
export const MAX_STRING_OCTETS = 255;

export function splitTxt(value: string, limit: number = MAX_STRING_OCTETS): string[] {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= limit) return [value];
  const strings: string[] = [];
  let start = 0;
  while (start < bytes.length) {
    let end = Math.min(start + limit, bytes.length);
    // never cut inside a UTF-8 sequence (continuation bytes are 10xxxxxx)
    while (end < bytes.length && end > start && ((bytes[end] as number) & 0xc0) === 0x80) end--;
    strings.push(bytes.subarray(start, end).toString('utf8'));
    start = end;
  }
  return strings;
}

export function octets(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

// The DMARC policy record from `auth.dmarc` (RFC 7489 6.3): v first, p second, then the rest.
import type { AuthConfig } from '../config/schema.ts';

export function dmarcRecord(dmarc: NonNullable<AuthConfig['dmarc']>): string {
  const tags: string[] = ['v=DMARC1', `p=${dmarc.p}`];
  if (dmarc.sp) tags.push(`sp=${dmarc.sp}`);
  if (dmarc.pct !== undefined) tags.push(`pct=${dmarc.pct}`);
  if (dmarc.adkim) tags.push(`adkim=${dmarc.adkim}`);
  if (dmarc.aspf) tags.push(`aspf=${dmarc.aspf}`);
  if (dmarc.fo) tags.push(`fo=${dmarc.fo}`);
  if (dmarc.rua.length > 0) tags.push(`rua=${dmarc.rua.join(',')}`);
  if (dmarc.ruf.length > 0) tags.push(`ruf=${dmarc.ruf.join(',')}`);
  return tags.join('; ');
}

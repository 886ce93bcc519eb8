// Lints one DKIM public-key record (RFC 6376 3.6.1, RFC 8301, RFC 8463). Pure: the TXT strings in,
// findings out, each with its rule id. The vectors in test/fixtures/conformance/dkim drive the tests.
import { createPublicKey } from 'node:crypto';
import { listValues, parseTagList } from './tag-list.ts';

export type DkimRuleId =
  | 'dkim-syntax'
  | 'dkim-revoked'
  | 'dkim-key-type'
  | 'dkim-key-undecodable'
  | 'dkim-rsa-too-short'
  | 'dkim-rsa-below-2048'
  | 'dkim-testing'
  | 'dkim-sha1-only'
  | 'dkim-service-not-email'
  | 'dkim-string-too-long'
  | 'dkim-ed25519-only';

export interface DkimKeyFinding {
  id: DkimRuleId;
  message: string;
}

export interface DkimKeyVerdict {
  syntaxValid: boolean;
  /** a conforming verifier could use the key to verify a signature */
  usable: boolean;
  keyType?: 'rsa' | 'ed25519';
  rsaBits?: number;
  findings: DkimKeyFinding[];
}

export interface DkimKeyOptions {
  /** another selector of the same domain publishes a usable RSA key (Ed25519 alone is poorly supported) */
  rsaElsewhere?: boolean;
}

export function lintDkimKey(strings: readonly string[], options: DkimKeyOptions = {}): DkimKeyVerdict {
  const findings: DkimKeyFinding[] = [];
  strings.forEach((value, index) => {
    const size = Buffer.byteLength(value, 'utf8');
    if (size > 255) findings.push({ id: 'dkim-string-too-long', message: `character-string ${index + 1} is ${size} octets; a TXT string holds at most 255 (split it)` });
  });
  const text = strings.join('');
  const parsed = parseTagList(text);
  const invalid = (message: string): DkimKeyVerdict => ({ syntaxValid: false, usable: false, findings: [...findings, { id: 'dkim-syntax', message }] });
  if (!parsed.ok) return invalid(parsed.message);
  const { tags, order } = parsed;
  if (tags.has('v')) {
    if (order[0] !== 'v') return invalid('v= must be the first tag when present');
    if (tags.get('v') !== 'DKIM1') return invalid(`v=${tags.get('v')}: only DKIM1 exists; verifiers discard this record`);
  }
  if (!tags.has('p')) return invalid('p= (the public key) is required');

  let usable = true;
  const keyType = (tags.get('k') ?? 'rsa').toLowerCase();
  const hashes = listValues(tags.get('h'));
  if (hashes.length > 0 && !hashes.includes('sha256')) {
    findings.push({ id: 'dkim-sha1-only', message: `h=${tags.get('h')} allows no sha256; rsa-sha1 must not be used (RFC 8301 3.1)` });
    usable = false;
  }
  const services = listValues(tags.get('s'));
  if (services.length > 0 && !services.includes('*') && !services.includes('email')) {
    findings.push({ id: 'dkim-service-not-email', message: `s=${tags.get('s')} does not include email or *: the key cannot verify mail` });
    usable = false;
  }
  if (listValues(tags.get('t')).includes('y')) {
    findings.push({ id: 'dkim-testing', message: 't=y: verifiers treat signed mail like unsigned mail while the domain is testing' });
  }

  const key = (tags.get('p') ?? '').replace(/[ \t\r\n]/g, '');
  if (key === '') {
    findings.push({ id: 'dkim-revoked', message: 'p= is empty: the key is revoked, signatures with this selector fail' });
    return { syntaxValid: true, usable: false, findings };
  }
  if (keyType !== 'rsa' && keyType !== 'ed25519') {
    findings.push({ id: 'dkim-key-type', message: `k=${keyType}: only rsa (RFC 6376) and ed25519 (RFC 8463) are defined` });
    return { syntaxValid: true, usable: false, findings };
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(key) || key.length % 4 !== 0) {
    findings.push({ id: 'dkim-key-undecodable', message: 'p= is not valid base64' });
    return { syntaxValid: true, usable: false, findings };
  }
  const der = Buffer.from(key, 'base64');
  const material = decodeKey(der);
  if (keyType === 'ed25519') {
    if (der.length === 32) {
      if (!options.rsaElsewhere) findings.push({ id: 'dkim-ed25519-only', message: 'only an Ed25519 key: many verifiers support only RSA; also sign with an RSA selector (RFC 8463 dual signing)' });
      return { syntaxValid: true, usable, keyType: 'ed25519', findings };
    }
    const what = material?.type === 'rsa' ? 'an RSA public key' : `${der.length} octets`;
    findings.push({ id: 'dkim-key-type', message: `k=ed25519 but p= holds ${what}; RFC 8463 expects the raw 32-octet key` });
    return { syntaxValid: true, usable: false, findings };
  }
  if (!material) {
    findings.push({ id: 'dkim-key-undecodable', message: 'p= does not decode as an RSA public key (DER SubjectPublicKeyInfo)' });
    return { syntaxValid: true, usable: false, findings };
  }
  if (material.type !== 'rsa') {
    findings.push({ id: 'dkim-key-type', message: `k=rsa but p= holds a ${material.type} key` });
    return { syntaxValid: true, usable: false, findings };
  }
  const bits = material.bits;
  if (bits < 1024) {
    findings.push({ id: 'dkim-rsa-too-short', message: `RSA key of ${bits} bits: verifiers must reject keys under 1024 bits (RFC 8301 3.2)` });
    usable = false;
  } else if (bits < 2048) {
    findings.push({ id: 'dkim-rsa-below-2048', message: `RSA key of ${bits} bits: signers should use at least 2048 (RFC 8301 3.2)` });
  }
  return { syntaxValid: true, usable, keyType: 'rsa', rsaBits: bits, findings };
}

function decodeKey(der: Buffer): { type: string; bits: number } | undefined {
  for (const type of ['spki', 'pkcs1'] as const) {
    try {
      const key = createPublicKey({ key: der, format: 'der', type });
      return { type: key.asymmetricKeyType ?? 'unknown', bits: key.asymmetricKeyDetails?.modulusLength ?? 0 };
    } catch {
      // not this encoding; RFC 6376 keys are SPKI, some publishers use bare PKCS#1
    }
  }
  return undefined;
}

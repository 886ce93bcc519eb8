// Who may call the write endpoints. The token comes from the environment variable the config names
// (never from the config file); comparison is constant-time over fixed-length digests so neither the
// content nor the length of the token leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

export type AuthResult = { ok: true } | { ok: false; status: 401 | 403; error: string };

export function checkBearer(header: string | undefined, token: string | undefined): AuthResult {
  if (token === undefined) return { ok: true };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return { ok: false, status: 401, error: 'authorization required: send "Authorization: Bearer <token>"' };
  if (!sameSecret(match[1] as string, token)) return { ok: false, status: 403, error: 'wrong token' };
  return { ok: true };
}

export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

// Building blocks of the config schema: one zod type per kind of value, each with the message a
// mail administrator needs ("what was expected"), and a regex where one exists so the generated
// JSON Schema can check the value in an editor too.
import { z } from 'zod';
import { isIP } from 'node:net';
import cron from 'node-cron';
import { parseDuration, DURATION_HINT } from './duration.ts';

// No /i flags anywhere: JSON Schema patterns carry no flags, so case is spelt out in the classes.
const hostnamePattern = /^(?=.{1,253}\.?$)(?:(?!-)[A-Za-z0-9_-]{1,63}(?<!-)\.)*(?!-)[A-Za-z0-9_-]{1,63}(?<!-)\.?$/;

/** A regex source matching `word` in any letter case (for JSON-Schema-safe patterns). */
export function anyCase(word: string): string {
  return [...word].map((c) => (/[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
}

/** A DNS name, stored lower-case without the trailing dot. */
export const dnsName = z
  .string({ error: 'a DNS name such as mx1.example.com' })
  .regex(hostnamePattern, { error: 'a DNS name such as mx1.example.com (labels of letters, digits, hyphens; at most 63 octets each)' })
  .transform((name) => name.toLowerCase().replace(/\.$/, ''));

/** "500ms", "10s", "2m", "1h", "7d" -> milliseconds. Defaults are given as input text with `.prefault`. */
export const duration = z
  .string({ error: DURATION_HINT })
  .regex(/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)\s*$/, { error: DURATION_HINT, abort: true })
  .refine((text) => parseDuration(text) !== undefined, { error: `${DURATION_HINT} (greater than zero)` })
  .transform((text) => parseDuration(text) as number);

/** An IPv4 or IPv6 address; IPv6 is stored in its canonical compressed lower-case form. */
export const ipAddress = z
  .string({ error: 'an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10' })
  .refine((text) => isIP(text) !== 0, { error: 'an IPv4 or IPv6 address such as 192.0.2.10 or 2001:db8::10' })
  .transform(canonicalAddress);

/** The one spelling of an address, so "2001:DB8:0::1" and "2001:db8::1" count as the same host. */
export function canonicalAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase(); // e.g. a zone index (fe80::1%eth0), which URL does not take
  }
}

// in its own module (no zod): the live resolver parses --nameserver without loading the config schema
export { parseHostPort } from './host-port.ts';
import { parseHostPort } from './host-port.ts';

const LISTEN_HINT = 'an address:port such as 127.0.0.1:5353 or [::1]:5353';

/** host:port or [v6]:port */
export const listenAddress = z
  .string({ error: LISTEN_HINT })
  .refine((text) => parseHostPort(text) !== undefined, { error: LISTEN_HINT });

const ENV_HINT = 'the name of an environment variable such as MXPOOL_TOKEN (the secret itself stays out of the file)';

/** A long run of mixed-case letters and digits is a token pasted where its variable's name belongs. */
function looksLikeSecret(text: string): boolean {
  return text.length >= 24 && /[a-z]/.test(text) && /[A-Z]/.test(text) && /\d/.test(text);
}

// Messages about these values never repeat the value (src/config/issues.ts): it may be the secret.
export const envVarName = z
  .string({ error: 'the name of an environment variable such as MXPOOL_TOKEN' })
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: ENV_HINT, abort: true })
  .refine((text) => !looksLikeSecret(text), { error: `${ENV_HINT}; this looks like a token itself: move it into an environment variable and write that variable's name here` });

const CRON_HINT = 'a cron expression with 5 or 6 fields such as "*/1 * * * *"';

export const cronExpression = z
  .string({ error: CRON_HINT })
  .regex(/^\s*(\S+\s+){4,5}\S+\s*$/, { error: CRON_HINT, abort: true })
  .refine((text) => cron.validate(text), { error: `${CRON_HINT} (minute 0-59, hour 0-23, day 1-31, month 1-12, weekday 0-7)` });

/** A whole number in [min, max]; `what` names it in the message, e.g. "a TTL in seconds". */
export function integer(what: string, min: number, max?: number) {
  const range = max === undefined ? `>= ${min}` : `${min}..${max}`;
  const message = `${what}, a whole number ${range}`;
  const base = z.number({ error: message }).int({ error: message }).min(min, { error: message });
  return max === undefined ? base : base.max(max, { error: message });
}

/** A number (fractions allowed) in [min, max]. */
export function decimal(what: string, min: number, max?: number) {
  const range = max === undefined ? `>= ${min}` : `${min}..${max}`;
  const message = `${what}, a number ${range}`;
  const base = z.number({ error: message }).min(min, { error: message });
  return max === undefined ? base : base.max(max, { error: message });
}

export const boolean = z.boolean({ error: 'true or false' });

export const port = integer('a port number', 1, 65535);

export const httpUrl = z
  .string({ error: 'an http(s) URL such as http://127.0.0.1:4566' })
  .regex(new RegExp(`^${anyCase('http')}[sS]?://\\S+$`), { error: 'an http(s) URL such as http://127.0.0.1:4566', abort: true })
  .refine((text) => URL.canParse(text), { error: 'an http(s) URL such as http://127.0.0.1:4566' });

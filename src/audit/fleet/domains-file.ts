// The list of domains for `audit --domains FILE`: one domain a line; `#` starts a comment (whole
// line or after the domain); blank lines ignored; a trailing dot and upper case are normalised;
// a domain listed twice is audited once. Bounded: file size, line length and domain count; every
// invalid line is reported with its number (the command exits 2, usage, listing them).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { UsageError } from '../../errors.ts';

export const DOMAIN_LIST_LIMITS = {
  /** bytes of the file */
  maxBytes: 16 * 1024 * 1024,
  /** characters of one line, comment included */
  maxLineLength: 1024,
  /** distinct domains */
  maxDomains: 100_000,
} as const;

/** Invalid lines shown in the usage error (the count of the rest follows). */
const SHOWN_PROBLEMS = 20;

export interface DomainListProblem {
  line: number;
  message: string;
}

export interface DomainList {
  domains: string[];
  problems: DomainListProblem[];
  /** lines naming a domain already listed */
  duplicates: number;
}

/** A host name as DNS carries it: letters, digits, '-' and '_' in labels of 1-63, two labels at least, 253 octets at most. */
export function isDomainName(name: string): boolean {
  if (name.length > 253) return false;
  const labels = name.split('.');
  return labels.length >= 2 && labels.every((label) => /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(label));
}

/** PURE: the domains of a list's text, and what is wrong with which line. */
export function parseDomainList(text: string, limits: { maxLineLength: number; maxDomains: number } = DOMAIN_LIST_LIMITS): DomainList {
  const domains: string[] = [];
  const seen = new Set<string>();
  const problems: DomainListProblem[] = [];
  let duplicates = 0;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const line = i + 1;
    if (raw.length > limits.maxLineLength) {
      problems.push({ line, message: `line longer than ${limits.maxLineLength} characters` });
      continue;
    }
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') continue;
    if (/\s/.test(content)) {
      problems.push({ line, message: `"${content}": one domain a line` });
      continue;
    }
    const domain = content.toLowerCase().replace(/\.$/, '');
    if (!isDomainName(domain)) {
      problems.push({ line, message: `"${content}" is not a domain name` });
      continue;
    }
    if (seen.has(domain)) {
      duplicates++;
      continue;
    }
    if (domains.length >= limits.maxDomains) {
      problems.push({ line, message: `more than ${limits.maxDomains} domains (split the list)` });
      break;
    }
    seen.add(domain);
    domains.push(domain);
  }
  return { domains, problems, duplicates };
}

/** Reads and parses the file; a missing, oversized or invalid file is a UsageError naming FILE:LINE. */
export function readDomainList(file: string): DomainList {
  let text: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size > DOMAIN_LIST_LIMITS.maxBytes) throw new UsageError(`--domains: ${file} is ${size} bytes, over the limit of ${DOMAIN_LIST_LIMITS.maxBytes}`);
      const buffer = Buffer.alloc(size);
      let read = 0;
      while (read < size) {
        const n = readSync(fd, buffer, read, size - read, null);
        if (n === 0) break;
        read += n;
      }
      text = buffer.subarray(0, read).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--domains: cannot read ${file}: ${(error as Error).message}`);
  }
  const list = parseDomainList(text);
  if (list.problems.length > 0) {
    const shown = list.problems.slice(0, SHOWN_PROBLEMS).map((p) => `${file}:${p.line}: ${p.message}`);
    const more = list.problems.length > SHOWN_PROBLEMS ? [`... and ${list.problems.length - SHOWN_PROBLEMS} more invalid line(s)`] : [];
    throw new UsageError(['--domains: invalid lines (one domain a line, # comments):', ...shown, ...more].join('\n'));
  }
  if (list.domains.length === 0) throw new UsageError(`--domains: ${file} lists no domain`);
  return list;
}

// PURE: what one security session observed -> findings (stable ids, messages for a person) and one
// line per check saying what it saw, passed or not. No I/O, no clock: table-tested.
import type { Observation, RelayAttempt, SeenReply } from './dialogue.ts';
import { isPositive } from './dialogue.ts';
import type { SecurityFinding, SecurityFindingId } from './findings.ts';

export interface CheckedFor {
  openRelay: boolean;
  authAfterStarttls: boolean;
  /** security.auth is configured */
  auth: boolean;
}

export interface Verdict {
  findings: SecurityFinding[];
  /** one line per check: what was sent and what came back, clean or not */
  notes: string[];
}

const show = (reply: SeenReply) => `${reply.code}${reply.text ? ` ${reply.text}` : ''}`;

function relayLine(attempt: RelayAttempt): string {
  const mail = `MAIL FROM:<${attempt.sender}>`;
  if (!attempt.rcpt) return `${mail} refused (${show(attempt.mail)})`;
  return `${mail} then RCPT TO:<${attempt.recipient}> ${isPositive(attempt.rcpt) ? 'accepted' : 'refused'} (${show(attempt.rcpt)})`;
}

function relayed(attempt: RelayAttempt | undefined): boolean {
  return attempt?.rcpt != null && isPositive(attempt.rcpt);
}

export function securityVerdict(seen: Observation, checked: CheckedFor): Verdict {
  const findings: SecurityFinding[] = [];
  const notes: string[] = [];
  const find = (id: SecurityFindingId, message: string) => findings.push({ id, message });

  if (checked.openRelay && seen.foreign) {
    const line = relayLine(seen.foreign);
    if (relayed(seen.foreign)) find('smtp-open-relay', `${line} without AUTH: it relays for anyone (mxpool sent RSET, never DATA)`);
    notes.push(`open relay: ${line}`);
  }
  if (checked.authAfterStarttls && seen.local) {
    const line = relayLine(seen.local);
    if (relayed(seen.local)) find('smtp-relay-without-auth', `${line} without AUTH: a forged sender of your own domain is enough to relay (mxpool sent RSET, never DATA)`);
    notes.push(`relay without AUTH: ${line}`);
  }
  if (checked.authAfterStarttls) {
    const offered = seen.authInClear.join(' ');
    if (offered) find('smtp-auth-before-starttls', seen.tls ? `AUTH ${offered} offered in the EHLO before STARTTLS: a client may send its password before the session is encrypted` : `AUTH ${offered} offered on a session without TLS (no STARTTLS): passwords would cross the network in clear`);
    notes.push(`AUTH before STARTTLS: ${offered ? `offered (${offered})` : 'not offered'}`);
  }
  if ((checked.authAfterStarttls || checked.auth) && !seen.tls) {
    find('smtp-starttls-missing', 'STARTTLS is not offered: AUTH cannot be protected, so mxpool sent no credentials');
  }
  if (checked.auth) authVerdict(seen, find, notes);
  return { findings, notes };
}

function authVerdict(seen: Observation, find: (id: SecurityFindingId, message: string) => void, notes: string[]): void {
  const { wrong, right } = seen;
  if (wrong) {
    const line = `AUTH ${wrong.mechanism} with the configured user and a wrong password`;
    if (isPositive(wrong.reply)) find('smtp-auth-accepts-bad-credentials', `${line} was accepted (${show(wrong.reply)})`);
    notes.push(`${line}: ${isPositive(wrong.reply) ? 'accepted' : 'refused'} (${show(wrong.reply)})`);
  }
  if (right) {
    const line = `AUTH ${right.mechanism} with the configured credentials`;
    if (!isPositive(right.reply)) find('smtp-auth-failed', `${line} was refused (${show(right.reply)})`);
    notes.push(`${line}: ${isPositive(right.reply) ? 'accepted' : 'refused'} (${show(right.reply)})`);
  }
  if (seen.authSkipped === undefined) return;
  // a relay with TLS but no AUTH at all cannot take the credentials clients are configured with
  if (seen.tls && seen.certProblem === null && seen.authOverTls.length === 0) find('smtp-auth-failed', `${seen.authSkipped}: clients cannot log in`);
  notes.push(`AUTH: ${seen.authSkipped}`);
}

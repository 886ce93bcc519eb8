// What the relay security checks say to a relay, inside the probe's own SMTP session (after its
// EHLO and STARTTLS, before its QUIT; src/probe/smtp.ts runs the session, this file only decides
// the commands). It observes and never judges (verdict.ts does), and it never sends DATA or BDAT:
// every test transaction ends with RSET, so no message can ever be accepted for delivery.
//
//   relay tests   MAIL FROM:<sender>  RCPT TO:<relay-test@relayTestDomain>  RSET
//   AUTH tests    AUTH PLAIN (or LOGIN) with the user and a wrong password, then with the right one
//
// Credentials never leave this file in clear: transcript lines show [credentials], and every reply
// text is scrubbed of the password in every form we sent it before it is kept.
import { printable } from '../probe/reply.ts';
import type { DialogueStage, SmtpDialogue } from '../probe/types.ts';
import type { Continuation } from '../probe/smtp.ts';

export interface Credentials {
  username: string;
  password: string;
}

export interface DialoguePlan {
  /** MAIL FROM and RCPT TO a foreign domain without AUTH */
  openRelay: boolean;
  /** MAIL FROM our own domain, RCPT TO a foreign one, without AUTH */
  authAfterStarttls: boolean;
  /** the foreign domain: relay-test@<relayTestDomain> is the recipient (and the open-relay sender) */
  relayTestDomain: string;
  /** a sender of the zone's own domain (postmaster@<zone>) */
  localSender: string;
  credentials?: Credentials;
  /** this check's deliberately wrong password (random, never a real one) */
  wrongPassword: string;
}

export interface SeenReply {
  code: number;
  /** printable, at most 200 characters, secrets replaced by [secret] */
  text: string;
}

export interface RelayAttempt {
  sender: string;
  recipient: string;
  mail: SeenReply;
  /** null when MAIL FROM was refused (no RCPT was sent) */
  rcpt: SeenReply | null;
}

export interface AuthAttempt {
  mechanism: 'PLAIN' | 'LOGIN';
  reply: SeenReply;
}

/** What one session showed; filled as the dialogue goes, so a session cut short keeps what it saw. */
export interface Observation {
  /** AUTH mechanisms offered in the first EHLO, in clear ([] when none) */
  authInClear: string[];
  /** STARTTLS ran (the session is encrypted) */
  tls: boolean;
  /** the certificate problem the probe reported but tolerated (verifyCert: false), else null */
  certProblem: string | null;
  /** AUTH mechanisms offered after STARTTLS ([] without TLS or without AUTH) */
  authOverTls: string[];
  foreign?: RelayAttempt;
  local?: RelayAttempt;
  wrong?: AuthAttempt;
  right?: AuthAttempt;
  /** why the AUTH tests did not run (or stopped), when they were asked for */
  authSkipped?: string;
}

export function emptyObservation(): Observation {
  return { authInClear: [], tls: false, certProblem: null, authOverTls: [] };
}

/** AUTH mechanisms of an EHLO keyword list: "AUTH PLAIN LOGIN" and the old "AUTH=LOGIN" form. */
export function authMechanisms(extensions: readonly string[]): string[] {
  const mechanisms = new Set<string>();
  for (const extension of extensions) {
    const [keyword = '', ...rest] = extension.split(' ');
    if (keyword === 'AUTH') for (const m of rest) mechanisms.add(m.toUpperCase());
    else if (keyword.startsWith('AUTH=')) for (const m of [keyword.slice(5), ...rest]) if (m) mechanisms.add(m.toUpperCase());
  }
  return [...mechanisms];
}

export function isPositive(reply: { code: number }): boolean {
  return reply.code >= 200 && reply.code < 300;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** Every form in which a secret of this plan crosses the wire, longest first. */
function secretForms(plan: DialoguePlan): string[] {
  const forms = new Set<string>();
  const passwords = [plan.wrongPassword, ...(plan.credentials ? [plan.credentials.password] : [])];
  for (const password of passwords) {
    if (password.length === 0) continue;
    forms.add(password);
    forms.add(base64(password));
    if (plan.credentials) forms.add(base64(`\0${plan.credentials.username}\0${password}`));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces each secret form in a text a relay sent back (a hostile one may echo what we sent). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[secret]');
  return out;
}

/**
 * The continuation the probe session runs after its last EHLO. It fills `seen` and appends to
 * `transcript` ("C: ..." / "S: ..." lines, credentials shown as placeholders) as it goes.
 */
export function securityDialogue(plan: DialoguePlan, seen: Observation, transcript: string[]): Continuation {
  const secrets = secretForms(plan);
  const send = async (dialogue: SmtpDialogue, stage: DialogueStage, line: string, shown = line): Promise<SeenReply> => {
    // belt and braces: nothing in this file may ever start a message transfer
    if (/^\s*(DATA|BDAT)\b/i.test(line)) throw new Error('the security checks never send DATA');
    transcript.push(`C: ${shown}`);
    const reply = await dialogue.command(stage, line);
    const text = scrub(printable(reply.lines.join(' '), 200), secrets);
    transcript.push(`S: ${reply.code} ${text}`.trimEnd());
    return { code: reply.code, text };
  };

  const relayTest = async (dialogue: SmtpDialogue, sender: string, recipient: string): Promise<RelayAttempt> => {
    const mail = await send(dialogue, 'mail', `MAIL FROM:<${sender}>`);
    const attempt: RelayAttempt = { sender, recipient, mail, rcpt: null };
    if (isPositive(mail)) attempt.rcpt = await send(dialogue, 'rcpt', `RCPT TO:<${recipient}>`);
    await send(dialogue, 'rset', 'RSET');
    return attempt;
  };

  /** One AUTH exchange; 334 challenges are answered, a third one is cancelled with "*". */
  const authenticate = async (dialogue: SmtpDialogue, mechanism: 'PLAIN' | 'LOGIN', username: string, password: string, label: string): Promise<SeenReply> => {
    const answers = mechanism === 'PLAIN'
      ? [{ line: base64(`\0${username}\0${password}`), shown: `[username and ${label}]` }]
      : [{ line: base64(username), shown: '[username]' }, { line: base64(password), shown: `[${label}]` }];
    let reply = await send(dialogue, 'auth', `AUTH ${mechanism}`);
    for (const answer of answers) {
      if (reply.code !== 334) return reply;
      reply = await send(dialogue, 'auth', answer.line, answer.shown);
    }
    if (reply.code === 334) reply = await send(dialogue, 'auth', '*');
    return reply;
  };

  return async (dialogue) => {
    seen.tls = dialogue.tls !== undefined;
    seen.certProblem = dialogue.tls?.error ?? null;
    seen.authInClear = authMechanisms(dialogue.extensionsBeforeTls);
    seen.authOverTls = seen.tls ? authMechanisms(dialogue.extensions) : [];
    const foreignAddress = `relay-test@${plan.relayTestDomain}`;
    if (plan.openRelay) seen.foreign = await relayTest(dialogue, foreignAddress, foreignAddress);
    if (plan.authAfterStarttls) seen.local = await relayTest(dialogue, plan.localSender, foreignAddress);
    const credentials = plan.credentials;
    if (!credentials) return;
    if (!seen.tls) {
      seen.authSkipped = 'no STARTTLS, and credentials are never sent in clear';
      return;
    }
    if (seen.certProblem !== null) {
      seen.authSkipped = `the certificate is not verified (${seen.certProblem}), so the credentials were not sent`;
      return;
    }
    const mechanism = seen.authOverTls.includes('PLAIN') ? 'PLAIN' : seen.authOverTls.includes('LOGIN') ? 'LOGIN' : undefined;
    if (mechanism === undefined) {
      seen.authSkipped = seen.authOverTls.length === 0 ? 'AUTH is not offered after STARTTLS' : `the relay offers AUTH ${seen.authOverTls.join(' ')}; mxpool speaks PLAIN and LOGIN`;
      return;
    }
    seen.wrong = { mechanism, reply: await authenticate(dialogue, mechanism, credentials.username, plan.wrongPassword, 'wrong password') };
    if (isPositive(seen.wrong.reply)) {
      seen.authSkipped = 'the wrong password was accepted, so the session is already authenticated';
      return;
    }
    seen.right = { mechanism, reply: await authenticate(dialogue, mechanism, credentials.username, credentials.password, 'password') };
  };
}

// A zoo of real SMTP servers (the smtp-server package) configured the ways relays go wrong, for the
// relay security checks, their serve tests and bench/hygiene. Every member records what it was
// sent, so a test can prove that no message was ever handed over (DATA) and that no credentials
// crossed the network in clear.
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { KeyPair } from './test-ca.ts';

export type ZooKind =
  | 'open' // relays for anyone
  | 'closed' // relays for nobody without AUTH (554 5.7.1 for foreign recipients)
  | 'own-domain' // relays when the sender claims the local domain, without AUTH
  | 'auth-before-starttls' // offers and takes AUTH PLAIN/LOGIN in clear
  | 'auth-any-password' // AUTH only after STARTTLS, but every password is right
  | 'auth-right' // AUTH only after STARTTLS, right credentials only; MAIL needs AUTH
  | 'auth-echo' // like auth-right, but its 535 echoes the password back (a hostile relay)
  | 'auth-login' // like auth-right, but AUTH LOGIN only (no PLAIN)
  | 'no-starttls'; // AUTH offered and accepted in clear, no STARTTLS at all

export const ZOO_USER = 'relay-user';
export const ZOO_PASSWORD = 'Zoo-Right-Passw0rd!';
/** the domain the zoo relays treat as their own */
export const ZOO_LOCAL_DOMAIN = 'example.com';

export interface ZooRecord {
  /** DATA (or BDAT) received at least once: a message could have been delivered */
  dataReceived: boolean;
  /** AUTH attempts on a session without TLS (username, whether a password came along) */
  authInClear: number;
  /** every AUTH attempt: user, password, secure */
  auths: { username: string | undefined; password: string | undefined; secure: boolean }[];
  /** RCPT TO addresses accepted */
  accepted: string[];
  mailFrom: string[];
}

export interface ZooServer {
  kind: ZooKind;
  address: string;
  port: number;
  record: ZooRecord;
  close(): Promise<void>;
}

function relayError(message: string, code: number): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

const local = (address: string) => address.toLowerCase().endsWith(`@${ZOO_LOCAL_DOMAIN}`);

export async function startZooServer(kind: ZooKind, address: string, pair: KeyPair, port = 0): Promise<ZooServer> {
  const record: ZooRecord = { dataReceived: false, authInClear: 0, auths: [], accepted: [], mailFrom: [] };
  const hasAuth = kind.startsWith('auth') || kind === 'no-starttls';
  const authAfterTlsOnly = kind === 'auth-any-password' || kind === 'auth-right' || kind === 'auth-echo' || kind === 'auth-login';
  const disabled = [...(hasAuth ? [] : ['AUTH']), ...(kind === 'no-starttls' ? ['STARTTLS'] : [])];
  const options: SMTPServerOptions = {
    name: `${kind}.zoo.test`,
    banner: `zoo ${kind}`,
    key: pair.key,
    cert: pair.cert,
    logger: false,
    disableReverseLookup: true,
    disabledCommands: disabled,
    authMethods: kind === 'auth-login' ? ['LOGIN'] : ['PLAIN', 'LOGIN'],
    allowInsecureAuth: kind === 'auth-before-starttls' || kind === 'no-starttls',
    // auth-right (and -echo, -login) need AUTH before MAIL; the others take MAIL without it
    authOptional: kind !== 'auth-right' && kind !== 'auth-echo' && kind !== 'auth-login',
    onConnect(session: SMTPServerSession, callback) {
      // hide AUTH until STARTTLS (smtp-server offers it in clear otherwise): a per-session list
      if (authAfterTlsOnly) (session as SMTPServerSession & { disabledCommands?: string[] }).disabledCommands = ['AUTH'];
      callback();
    },
    onSecure(_socket, session: SMTPServerSession, callback) {
      if (authAfterTlsOnly) (session as SMTPServerSession & { disabledCommands?: string[] }).disabledCommands = [];
      callback();
    },
    onAuth(auth, session, callback) {
      const secure = (session as SMTPServerSession & { secure?: boolean }).secure === true;
      record.auths.push({ username: auth.username, password: auth.password ?? undefined, secure });
      if (!secure) record.authInClear += 1;
      if (kind === 'auth-any-password') return callback(null, { user: auth.username });
      if (auth.username === ZOO_USER && auth.password === ZOO_PASSWORD) return callback(null, { user: auth.username });
      if (kind === 'auth-echo') return callback(relayError(`5.7.8 bad password ${auth.password} (${Buffer.from(`\0${auth.username}\0${auth.password}`).toString('base64')})`, 535));
      callback(relayError('5.7.8 Authentication credentials invalid', 535));
    },
    onMailFrom(mail, _session, callback) {
      record.mailFrom.push(mail.address);
      callback();
    },
    onRcptTo(rcpt, session, callback) {
      const authenticated = Boolean(session.user);
      const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      const allowed = kind === 'open' || authenticated || local(rcpt.address) || (kind === 'own-domain' && local(sender));
      if (!allowed) return callback(relayError('5.7.1 Relay access denied', 554));
      record.accepted.push(rcpt.address);
      callback();
    },
    onData(stream, _session, callback) {
      record.dataReceived = true;
      stream.resume();
      stream.on('end', () => callback(relayError('5.7.0 the zoo never takes a message', 554)));
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, address, () => resolve());
  });
  return {
    kind,
    address,
    port: (server.server.address() as AddressInfo).port,
    record,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

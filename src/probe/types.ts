// The probe's input and output shapes, shared by smtp.ts, the runner, `mxpool probe` and the daemon.

/** Where to probe: `name` is the host's DNS name (EHLO peer, SNI, certificate name check). */
export interface ProbeTarget {
  name: string;
  address: string;
  port: number;
}

export type StartTlsPolicy = 'required' | 'optional' | 'off';

export interface ProbeOptions {
  /** the ONE deadline for the whole dialogue, connect to close */
  timeoutMs: number;
  /** the name we give in EHLO/HELO */
  helo: string;
  starttls: StartTlsPolicy;
  /** a certificate with fewer days left than this fails the probe */
  certMinDays: number;
  /** false: a bad chain or name is reported in `tls.error` but does not fail the probe */
  verifyCert: boolean;
  /** extra trusted CA(s), PEM; system CAs and NODE_EXTRA_CA_CERTS are always trusted */
  ca?: string | Buffer;
  /** epoch ms; injectable so certificate-expiry checks can be tested */
  now?: () => number;
  /** the local address to connect from (probe.sourceAddress); default: the routing table's choice */
  localAddress?: string;
}

/**
 * How far the dialogue got. On failure, the stage that failed; on success, `quit`.
 * connect -> greeting -> ehlo (HELO fallback) -> starttls -> tls (handshake) -> cert -> ehlo -> quit;
 * a continuation (security checks) adds its stages between the last ehlo and quit.
 */
export type ProbeStage = 'connect' | 'greeting' | 'ehlo' | 'starttls' | 'tls' | 'cert' | DialogueStage | 'quit';

/** Stages of the dialogue after EHLO that checks beside the probe use (never DATA). */
export type DialogueStage = 'mail' | 'rcpt' | 'rset' | 'auth';

/** The probe's session after its last EHLO, as a continuation (src/security/) drives it. */
export interface SmtpDialogue {
  /** EHLO keywords of the first EHLO, in clear before STARTTLS */
  readonly extensionsBeforeTls: readonly string[];
  /** EHLO keywords now: after STARTTLS the second EHLO's */
  readonly extensions: readonly string[];
  /** the TLS session when STARTTLS ran (its certificate judged as the probe judges it) */
  readonly tls: TlsInfo | undefined;
  /**
   * Sends one command line and resolves with its reply, within probe.timeout for this stage and
   * with the probe's bounds on replies. Rejects (and the probe result says why) on a timeout,
   * a reset or a reply that is not SMTP. The line never appears in a failure reason.
   */
  command(stage: DialogueStage, line: string): Promise<{ code: number; lines: string[] }>;
}

export interface TlsInfo {
  /** e.g. TLSv1.3 */
  protocol: string | null;
  cipher: string | null;
  /** the chain verified against the trusted CAs */
  authorized: boolean;
  /** chain or name problem (e.g. CERT_HAS_EXPIRED, "name mismatch: ..."); null when none */
  error: string | null;
  /** subject CN */
  subject: string | null;
  /** subjectAltName DNS names */
  san: string[];
  /** ISO 8601 */
  validTo: string | null;
  /** whole days until validTo (negative when expired) */
  daysLeft: number | null;
  /** DANE digests of the leaf certificate the host presented (null: no certificate) */
  keys?: CertDigests | null;
}

/**
 * What DANE TLSA records match (RFC 6698 2.1): SHA-256/512 of the leaf's SubjectPublicKeyInfo
 * (selector 1) and of the whole certificate (selector 0), lower-case hex.
 */
export interface CertDigests {
  /** null when Node cannot export the public key (an exotic key type) */
  readonly spkiSha256: string | null;
  readonly spkiSha512: string | null;
  readonly certSha256: string;
  readonly certSha512: string;
}

export interface ProbeResult {
  ok: boolean;
  stage: ProbeStage;
  /** '' when ok; else what went wrong, for a human */
  reason: string;
  /** the last SMTP reply code seen (null before any reply) */
  code: number | null;
  /** elapsed milliseconds, connect to verdict */
  ms: number;
  /** the greeting text (first line, without the code), null before a greeting */
  banner: string | null;
  /** EHLO keywords upper-case, e.g. ["PIPELINING", "SIZE 10240000", "STARTTLS"] (after STARTTLS: the second EHLO) */
  extensions: string[];
  tls: TlsInfo | undefined;
  /** the connection was refused or reset (or closed before a reply): drives fast fall */
  refused?: boolean;
  /** epoch ms when the probe started */
  at: number;
}

export type ProbeFunction = (target: ProbeTarget, options: ProbeOptions) => Promise<ProbeResult>;

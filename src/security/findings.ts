// The relay security findings: stable ids (shown by `mxpool probe`, /api/state, the status page and
// the metrics), what each means, and the reference it rests on. The audit's `relay-` rules are
// built from this table (src/audit/rules/relay.ts), so an id and its reference are written once.
import type { RfcRef, Severity } from '../audit/types.ts';

export type SecurityFindingId =
  | 'smtp-open-relay'
  | 'smtp-relay-without-auth'
  | 'smtp-auth-before-starttls'
  | 'smtp-starttls-missing'
  | 'smtp-auth-failed'
  | 'smtp-auth-accepts-bad-credentials';

/** One finding about one host: what was seen, for a person (no credentials, ever). */
export interface SecurityFinding {
  id: string;
  message: string;
}

export interface FindingInfo {
  /** the audit rule that reports it */
  rule: string;
  severity: Severity;
  rfc: RfcRef;
  title: string;
  fix: string;
}

export const SECURITY_FINDINGS: Record<SecurityFindingId, FindingInfo> = {
  'smtp-open-relay': {
    rule: 'relay-open',
    severity: 'error',
    rfc: { rfc: 5321, section: '7.9' },
    title: 'The host accepts mail from anyone for anyone (an open relay): spammers find it within hours and its whole range gets blocklisted',
    fix: 'Relay only for your own networks and authenticated clients (Postfix: smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination)',
  },
  'smtp-relay-without-auth': {
    rule: 'relay-without-auth',
    severity: 'error',
    rfc: { rfc: 6409, section: '4.3' },
    title: 'The relay relays for a sender of your own domain without AUTH: anyone can forge that sender and send through it',
    fix: 'Require AUTH for relaying; never trust the MAIL FROM domain (Postfix: no permit_sender_domain-style rules in smtpd_relay_restrictions)',
  },
  'smtp-auth-before-starttls': {
    rule: 'relay-auth-before-starttls',
    severity: 'error',
    rfc: { rfc: 4954, section: '4' },
    title: 'AUTH is offered before STARTTLS: clients may send their password in clear',
    fix: 'Offer AUTH only after STARTTLS (Postfix: smtpd_tls_auth_only = yes)',
  },
  'smtp-starttls-missing': {
    rule: 'relay-starttls-missing',
    severity: 'error',
    rfc: { rfc: 8314, section: '4.1' },
    title: 'The relay offers no STARTTLS, so AUTH cannot be protected (mxpool does not send credentials in clear)',
    fix: 'Configure a certificate and offer STARTTLS (Postfix: smtpd_tls_security_level = may or encrypt)',
  },
  'smtp-auth-failed': {
    rule: 'relay-auth-failed',
    severity: 'warning',
    rfc: { rfc: 4954, section: '6' },
    title: 'The relay refuses the configured credentials: clients that use them cannot send',
    fix: 'Check the account (security.auth.usernameEnv / passwordEnv) and the relay\'s SASL setup',
  },
  'smtp-auth-accepts-bad-credentials': {
    rule: 'relay-auth-accepts-bad-credentials',
    severity: 'error',
    rfc: { rfc: 4954, section: '6' },
    title: 'The relay accepts a wrong password: anyone who knows a user name can relay through it',
    fix: 'Fix the relay\'s authentication backend (a SASL setup that answers "ok" for every password)',
  },
};

export function isSecurityFindingId(id: string): id is SecurityFindingId {
  return Object.hasOwn(SECURITY_FINDINGS, id);
}

/**
 * Typed errors for every layer. A TlsError carries the alert that was (or
 * must be) sent to the peer, or the alert the peer sent us (`fromPeer`).
 */

/** TLS alert descriptions (RFC 8446 §6). */
export const Alert = {
  close_notify: 0,
  unexpected_message: 10,
  bad_record_mac: 20,
  record_overflow: 22,
  handshake_failure: 40,
  bad_certificate: 42,
  unsupported_certificate: 43,
  certificate_revoked: 44,
  certificate_expired: 45,
  certificate_unknown: 46,
  illegal_parameter: 47,
  unknown_ca: 48,
  access_denied: 49,
  decode_error: 50,
  decrypt_error: 51,
  protocol_version: 70,
  insufficient_security: 71,
  internal_error: 80,
  inappropriate_fallback: 86,
  user_canceled: 90,
  missing_extension: 109,
  unsupported_extension: 110,
  unrecognized_name: 112,
  bad_certificate_status_response: 113,
  unknown_psk_identity: 115,
  certificate_required: 116,
  no_application_protocol: 120,
} as const;

export type AlertName = keyof typeof Alert;
/** A code a peer sent that is not in our table (rustls: AlertDescription::Unknown). */
export type UnknownAlert = `alert_${number}`;

const alertNames = new Map<number, AlertName>(
  Object.entries(Alert).map(([name, code]) => [code, name as AlertName]),
);

/** The name of an alert code, or `alert_<code>` for codes we do not know. */
export function alertName(code: number): AlertName | UnknownAlert {
  return alertNames.get(code) ?? `alert_${code}`;
}

export class TlsError extends Error {
  override readonly name = 'TlsError';
  constructor(
    /** The alert sent (or to send) to the peer, or received from it (possibly a code we do not know). */
    readonly alert: AlertName | UnknownAlert,
    message: string,
    /** True when the peer sent this alert to us. */
    readonly fromPeer = false,
    /** Set for failures that are not a protocol alert, such as a truncated connection. */
    readonly code?: 'premature_termination',
  ) {
    super(`${alert}: ${message}`);
  }
}

/** The transport ended without close_notify: the data may have been truncated (GnuTLS: premature termination). */
export const prematureTermination = (when: string) =>
  new TlsError('close_notify', `transport closed without close_notify ${when}`, false, 'premature_termination');

/** Shorthands used by parsers and state machines. */
export const decodeError = (msg: string) => new TlsError('decode_error', msg);
export const illegalParameter = (msg: string) => new TlsError('illegal_parameter', msg);
export const unexpectedMessage = (msg: string) => new TlsError('unexpected_message', msg);

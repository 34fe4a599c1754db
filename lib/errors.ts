/**
 * Typed errors for every layer. A TlsError carries the alert that was (or
 * must be) sent to the peer, or the alert the peer sent us (`fromPeer`), and
 * a stable `code` to branch on, as node users do with `err.code`.
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
  no_renegotiation: 100,
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

/**
 * Codes of failures that are not a protocol failure:
 * - `ERR_TLS_PREMATURE_TERMINATION`: the transport ended without close_notify (nothing is sent);
 * - a transport error's own code (`ECONNRESET`, `EPIPE`, ...), with the error as `cause` (nothing is sent);
 * - `ERR_TLS_HANDSHAKE_TIMEOUT`: the handshake did not finish in time (user_canceled and close_notify are sent).
 */
export type TransportErrorCode = 'ERR_TLS_PREMATURE_TERMINATION' | 'ERR_TLS_HANDSHAKE_TIMEOUT' | `E${Uppercase<string>}`;

/**
 * Certificate verification failures carry OpenSSL's verify codes, as node:tls
 * reports them in `err.code`, so code written for node branches the same way.
 */
export type VerifyErrorCode =
  | 'CERT_HAS_EXPIRED'
  | 'CERT_NOT_YET_VALID'
  | 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  | 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'
  | 'UNHANDLED_CRITICAL_EXTENSION'
  | 'SELF_SIGNED_CERT_IN_CHAIN'
  | 'DEPTH_ZERO_SELF_SIGNED_CERT'
  | 'CERT_SIGNATURE_FAILURE'
  | 'CA_KEY_TOO_SMALL'
  | 'EE_KEY_TOO_SMALL'
  | 'CA_MD_TOO_WEAK'
  | 'INVALID_CA'
  | 'PATH_LENGTH_EXCEEDED'
  | 'CERT_CHAIN_TOO_LONG'
  | 'INVALID_PURPOSE'
  | 'CERT_REJECTED'
  // OpenSSL's X509_V_ERR_PERMITTED_VIOLATION / X509_V_ERR_EXCLUDED_VIOLATION (node's code list lacks them)
  | 'PERMITTED_VIOLATION'
  | 'EXCLUDED_VIOLATION'
  | 'ERR_TLS_CERT_ALTNAME_INVALID'
  // rxtls's checks done beside the chain, named like node's ERR_TLS_CERT_ALTNAME_INVALID
  | 'ERR_TLS_CERT_PIN_MISMATCH'
  | 'ERR_TLS_CERT_FINGERPRINT_MISMATCH'
  | 'ERR_TLS_RAW_PUBLIC_KEY_MISMATCH';

/**
 * Every TlsError's `code`:
 * - `ERR_TLS_ALERT_<NAME>`: we failed the connection and sent that alert
 *   (`ERR_TLS_ALERT_DECODE_ERROR`, `ERR_TLS_ALERT_PROTOCOL_VERSION`, ...);
 * - `ERR_TLS_PEER_ALERT_<NAME>`: the peer sent that fatal alert
 *   (`ERR_TLS_PEER_ALERT_UNKNOWN_CA`, `ERR_TLS_PEER_ALERT_ALERT_255` for codes we do not know);
 * - a VerifyErrorCode for certificate verification failures (the alert is sent too);
 * - a TransportErrorCode when no alert was involved;
 * - `large_packet`: a DTLS send() larger than the datagram room (GnuTLS's
 *   GNUTLS_E_LARGE_PACKET); not fatal, the session stays usable.
 */
export type TlsErrorCode = `ERR_TLS_ALERT_${Uppercase<string>}` | `ERR_TLS_PEER_ALERT_${Uppercase<string>}` | VerifyErrorCode | TransportErrorCode | 'large_packet';

/** Codes under which nothing is sent: the transport ended or failed, or the failure was not fatal. */
const TRANSPORT_CODE = /^(ERR_TLS_PREMATURE_TERMINATION|E[A-Z0-9]+|large_packet)$/;

export class TlsError extends Error {
  override readonly name = 'TlsError';
  /** A stable code to branch on (see TlsErrorCode). */
  readonly code: TlsErrorCode;

  constructor(
    /** The alert sent (or to send) to the peer, or received from it (possibly a code we do not know). */
    readonly alert: AlertName | UnknownAlert,
    message: string,
    /** True when the peer sent this alert to us. */
    readonly fromPeer = false,
    /** Defaults to ERR_TLS_ALERT_<ALERT>, or ERR_TLS_PEER_ALERT_<ALERT> from the peer. */
    code?: TlsErrorCode,
    options?: { cause?: unknown },
  ) {
    super(`${alert}: ${message}`, options);
    this.code = code ?? (`ERR_TLS_${fromPeer ? 'PEER_' : ''}ALERT_${alert.toUpperCase()}` as TlsErrorCode);
  }

  /** True when this failure is ours to report to the peer with `alert` (not the peer's alert, not a transport end or failure). */
  get sendsAlert(): boolean {
    return !this.fromPeer && !TRANSPORT_CODE.test(this.code) && this.alert in Alert;
  }
}

/** A DTLS send() of `size` bytes where one datagram holds `room`: nothing was sent, the session goes on. */
export const largePacket = (size: number, room: number) =>
  new TlsError('internal_error', `${size} bytes do not fit one datagram (${room} bytes of room)`, false, 'large_packet');

/** The transport ended without close_notify: the data may have been truncated (GnuTLS: premature termination). */
export const prematureTermination = (when: string) =>
  new TlsError('close_notify', `transport closed without close_notify ${when}`, false, 'ERR_TLS_PREMATURE_TERMINATION');

/** The transport failed (ECONNRESET, EPIPE, ...): a premature termination that keeps its cause and code. */
export function transportFailure(cause: Error & { code?: string }, when: string): TlsError {
  const code = /^E[A-Z0-9]+$/.test(cause.code ?? '') ? (cause.code as TransportErrorCode) : 'ERR_TLS_PREMATURE_TERMINATION';
  return new TlsError('close_notify', `transport failed ${when}: ${cause.message}`, false, code, { cause });
}

/** The handshake did not complete within `ms`; the session sends user_canceled (RFC 8446 §6.1). */
export const handshakeTimeout = (ms: number) =>
  new TlsError('user_canceled', `the handshake did not complete within ${ms} ms`, false, 'ERR_TLS_HANDSHAKE_TIMEOUT');

/** Shorthands used by parsers and state machines. */
export const decodeError = (msg: string) => new TlsError('decode_error', msg);
export const illegalParameter = (msg: string) => new TlsError('illegal_parameter', msg);
export const unexpectedMessage = (msg: string) => new TlsError('unexpected_message', msg);

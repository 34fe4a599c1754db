/**
 * What a handshake tells its user, shared by every protocol version: the
 * negotiated parameters and the tickets kept for resumption. It lives below
 * the session (DESIGN.md layers) so the states fill it in without importing
 * upwards; lib/session re-exports it.
 */
import type { SrtpProfileName } from '../wire/use-srtp.js';

/** Negotiated parameters, filled in as the handshake goes. */
export interface SessionInfo {
  version?: 'TLSv1.3' | 'TLSv1.2' | 'DTLSv1.3' | 'DTLSv1.2';
  suite?: string;
  group?: string;
  signatureScheme?: string;
  alpn?: string;
  serverName?: string;
  /** Peer certificate chain, leaf first, DER (on a server: the client's, when it sent one; empty when the peer authenticated with a raw public key). */
  peerCertificates: Uint8Array[];
  /**
   * What the peer's Certificate message carries (RFC 7250): 'X509' by default,
   * 'RawPublicKey' once negotiated with a certificate type extension.
   */
  peerCertificateType?: 'X509' | 'RawPublicKey';
  /** The peer's raw public key (RFC 7250), a DER SubjectPublicKeyInfo, when it authenticated with one. */
  peerRawPublicKey?: Uint8Array;
  /**
   * Server with `requestCert`: whether the client's chain verified (node's
   * tlsSocket.authorized). False is seen only with `rejectUnauthorized: false`.
   */
  authorized?: boolean;
  /** Why `authorized` is false: a verification code (node's authorizationError), or 'ERR_TLS_NO_CLIENT_CERTIFICATE'. */
  authorizationError?: string;
  resumed: boolean;
  helloRetry: boolean;
  /**
   * TLS 1.3 0-RTT, when it was tried: true when the server accepted the
   * client's early data, false when it declined (the client then sent the
   * data again after the handshake). Unset when no early data was offered.
   */
  earlyData?: boolean;
  /** TLS 1.2 PSK suites: the PSK identity (UTF-8) the client named, on either side. */
  pskIdentity?: string;
  /** TLS 1.2: the extended master secret (RFC 7627) was negotiated. */
  extendedMasterSecret?: boolean;
  /** The DTLS-SRTP protection profile negotiated with use_srtp (RFC 5764), when both sides configured `srtpProfiles`. */
  srtpProfile?: SrtpProfileName;
  /** The peer's record_size_limit (RFC 8449) as it sent it, when the extension was negotiated; our protected records keep to it. */
  peerRecordSizeLimit?: number;
  /** Session tickets received (client side), for later resumption (`session` option). */
  tickets: SessionTicket[];
}

/** A ticket for resuming a session of the version it names. */
export type SessionTicket = Tls13SessionTicket | Tls12SessionTicket;

export interface Tls13SessionTicket {
  version: 'TLSv1.3';
  ticket: Uint8Array;
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  /** The resumption PSK derived for this ticket. */
  psk: Uint8Array;
  suite: string;
  serverName?: string;
  alpn?: string;
  /** clock() when received, for obfuscated_ticket_age. */
  receivedAt: number;
  maxEarlyData: number;
}

/** RFC 5077: the server keeps nothing; the client keeps the ticket and the session's master secret. */
export interface Tls12SessionTicket {
  version: 'TLSv1.2';
  ticket: Uint8Array;
  /** ticket_lifetime_hint, seconds (0: unspecified). */
  lifetime: number;
  masterSecret: Uint8Array;
  suite: string;
  extendedMasterSecret: boolean;
  serverName?: string;
  alpn?: string;
  /** clock() when received. */
  receivedAt: number;
}

/**
 * The options users give a TLS (or DTLS) client and server, before
 * resolution (config.ts fills in every default and checks them).
 */
import type { CryptoProvider, GroupName, RandomSource, SignatureSchemeName } from '../crypto/provider.js';
import type { TrustStore } from '../x509/trust-store.js';
import type { SuiteName } from './suites.js';
import type { Tls12SuiteName } from '../tls12/suites.js';
import type { TicketKey } from '../tls12/ticket-keys.js';
import type { SessionTicket } from '../handshake/session-info.js';
import type { SrtpProfileName } from '../wire/use-srtp.js';
import type { PskModeName } from './psk-modes.js';
import type { ClientAuthClientOptions, ClientAuthServerOptions } from './client-auth-config.js';

/** PEM text (one or more blocks) or DER bytes. */
export type PemOrDer = string | Uint8Array;

export interface CommonOptions {
  crypto?: CryptoProvider;
  random?: RandomSource;
  /** Monotonic milliseconds (ticket ages, DTLS timers). */
  clock?: () => number;
  /** Absolute time for certificate validity. */
  date?: () => Date;
  /** Cipher suites of either version, in preference order (default: every suite the provider runs, its fastest AEAD first). */
  suites?: Array<SuiteName | Tls12SuiteName>;
  /** The oldest version to negotiate (node:tls's option). Default 'TLSv1.2'. */
  minVersion?: TlsVersionName;
  /** The newest version to negotiate. Default 'TLSv1.3'. */
  maxVersion?: TlsVersionName;
  /**
   * TLS 1.2 only: connect to peers without the extended master secret
   * (RFC 7627). Off by default: such a session's keys can be made to match a
   * second session's (the triple handshake attack); the peer gets handshake_failure.
   */
  allowLegacyNoExtendedMasterSecret?: boolean;
  /** Key-exchange groups in preference order. */
  groups?: GroupName[];
  signatureSchemes?: SignatureSchemeName[];
  /** ALPN protocol names in preference order. */
  alpn?: string[];
  /**
   * TLS 1.3 PSK key exchange modes (RFC 8446 §4.2.9) for tickets and external
   * PSKs, in preference order. Default ['psk_dhe_ke']: a PSK with a fresh
   * (EC)DHE share, keeping forward secrecy. 'psk_ke' (the PSK alone, no
   * forward secrecy) is used only when both sides list it.
   */
  pskModes?: PskModeName[];
  /** Receives NSS key-log lines (SSLKEYLOGFILE format). Only called when set. */
  keylog?: (line: string) => void;
  /**
   * DTLS-SRTP protection profiles (RFC 5764 use_srtp), in preference order:
   * a client offers them (TLS 1.2 handshakes), a server picks the first of
   * its list the client offered. Unset: no use_srtp. See srtpKeyingMaterial().
   * Meant for DTLS: over TLS, GnuTLS negotiates it, but OpenSSL (and so
   * node:tls) servers refuse a ClientHello carrying it (illegal_parameter).
   */
  srtpProfiles?: SrtpProfileName[];
  /** Send a KeyUpdate after this many records under one key (default: the AEAD's limit). */
  keyUpdateAfterRecords?: number;
  /**
   * Records in a row that carry nothing (empty application data, ignored
   * ChangeCipherSpec) accepted before the connection fails with
   * unexpected_message (default 32, as OpenSSL). RFC 8446 §5.4 allows empty
   * application data as cover traffic; an endless stream of it only costs us.
   */
  maxEmptyRecords?: number;
  /**
   * Warning alerts (user_canceled) in a row accepted before the connection
   * fails with unexpected_message (default 4: OpenSSL fails on the 5th).
   * A peer sends one, then close_notify.
   */
  maxWarningAlerts?: number;
  /**
   * RFC 8449 record_size_limit: the largest protected record we take, in
   * bytes of plaintext (TLS 1.3 counts the content type byte, so 16385 is
   * the full 2^14 of content). 64 to 16385; default 16385, sent by every TLS
   * client (as GnuTLS and Firefox do) so that a server may ask for smaller
   * records, and answered by the server to every client that sends one. A
   * peer's record over it is record_overflow. false: never offered nor
   * answered (for a peer that mishandles it). Not negotiated over DTLS.
   */
  recordSizeLimit?: number | false;
}

/**
 * Mutual TLS on the client: `cert` and `key` (sent whenever a server asks,
 * as node:tls does), or `clientCertificate`, a callback choosing by the
 * server's CA list and schemes (undefined: no certificate). With either, a
 * TLS 1.3 client also offers post-handshake authentication (RFC 8446 §4.6.2).
 */
export interface ClientOptions extends CommonOptions, ClientAuthClientOptions {
  /** Host name for SNI and certificate verification (an IP literal is verified but not sent as SNI). */
  serverName?: string;
  /**
   * Trusted root certificates, or a TrustStore (build one once and share it:
   * it parses a root only when a chain names it). There is no default here:
   * the core reads no files; lib/node passes Node's root store.
   */
  ca?: PemOrDer | PemOrDer[] | TrustStore;
  /**
   * SPKI pins, 'sha256/BASE64' (HPKP form; `openssl x509 -pubkey | openssl pkey
   * -pubin -outform der | openssl dgst -sha256 -binary | base64`): the verified
   * chain must hold a certificate with one of these keys (leaf, intermediate or
   * root), else bad_certificate with code ERR_TLS_CERT_PIN_MISMATCH.
   */
  pins?: string[];
  /**
   * The server certificate's fingerprint(s), 'sha-256 AB:CD:...' (RFC 8122, as
   * WebRTC signals it), instead of `ca`: the leaf must hash to one of them and
   * no chain, validity or name is checked (the peer is typically self-signed).
   * A mismatch is bad_certificate with code ERR_TLS_CERT_FINGERPRINT_MISMATCH.
   */
  fingerprint?: string | string[];
  /**
   * The server's raw public key(s) (RFC 7250): PEM "PUBLIC KEY" blocks
   * (`openssl pkey -pubout`) or DER SubjectPublicKeyInfo. The client offers
   * server_certificate_type; a server that sends its bare key is accepted when
   * the key is exactly one of these (no chain, validity or name: the key
   * itself is the identity, as an SSH host key), else bad_certificate with code
   * ERR_TLS_RAW_PUBLIC_KEY_MISMATCH. With `ca` (or `fingerprint`) too, a server
   * without raw public keys is verified by its certificate instead; without,
   * such a server is refused (unsupported_certificate). See `info.peerRawPublicKey`.
   */
  serverRawPublicKey?: PemOrDer | PemOrDer[];
  /** Turns certificate verification OFF. Anyone on the path can then read and change the traffic. */
  dangerouslySkipCertificateVerification?: boolean;
  /**
   * Groups to send key shares for in the first ClientHello (default: the first
   * group, and x25519 beside it when the first is X25519MLKEM768). Others cost a HelloRetryRequest.
   */
  keyShareGroups?: GroupName[];
  /** Send a legacy session id and a dummy ChangeCipherSpec (RFC 8446 §D.4); default true. */
  middleboxCompat?: boolean;
  /**
   * NewSessionTickets kept in `info.tickets` (default 8): the newest ones; older
   * ones are dropped as more arrive, so a server sending tickets without end
   * costs no memory. 0 keeps none.
   */
  maxTickets?: number;
  /**
   * A ticket from an earlier connection's `info.tickets` to resume that
   * session. A TLS 1.3 ticket is offered in pre_shared_key (with (EC)DHE:
   * psk_dhe_ke) when it is unexpired on `clock`, its server name is
   * `serverName` and a suite of its hash is configured; `info.resumed` says
   * whether the server took it. TLS 1.3 tickets are single-use (RFC 8446
   * §C.4): drop a ticket once offered and keep the new ones the connection
   * brings in its own `info.tickets`.
   */
  session?: SessionTicket;
  /**
   * A pre-shared key and the identity (a string is sent as UTF-8) that names
   * it to the server. TLS 1.3 offers it in pre_shared_key ("ext binder",
   * RFC 8446 §4.2.11) with its `hash` (default 'sha256', as OpenSSL and
   * GnuTLS assume), so only suites of that hash can use it; TLS 1.2 runs the
   * PSK suites (RFC 4279, RFC 5489) after the certificate suites, unless
   * `suites` says otherwise. Without `ca` (and with verification on) the
   * server must accept the PSK: there is no certificate we could check.
   */
  psk?: { identity: string | Uint8Array; key: Uint8Array; hash?: 'sha256' | 'sha384' };
  /**
   * TLS 1.3: send early data (0-RTT, RFC 8446 §4.2.10) with a `session` ticket
   * that allows it, when the caller writes before the handshake ends (see
   * Session.sendEarlyData()). Default false. Early data can be replayed by an
   * attacker: send only requests that are safe to run twice.
   */
  earlyData?: boolean;
}

/**
 * Mutual TLS on the server, with node:tls's names: `requestCert` sends a
 * CertificateRequest; `rejectUnauthorized` (default true) fails a client
 * without a certificate that verifies against `ca` (certificate_required in
 * TLS 1.3, handshake_failure in 1.2); false lets it in with
 * `info.authorized` false and `info.authorizationError` saying why.
 */
export interface ServerOptions extends CommonOptions, ClientAuthServerOptions {
  /** The certificate chain, leaf first. Optional only with `psk` (a PSK-only server speaks the TLS 1.2 PSK suites alone). */
  cert?: PemOrDer | PemOrDer[];
  key?: PemOrDer;
  /**
   * Serve the certificate's public key alone (RFC 7250 raw public key) to
   * clients that ask for it with server_certificate_type; others still get
   * the chain. Default false.
   */
  rawPublicKey?: boolean;
  /**
   * The pre-shared key of a client identity (the bytes the client sent; they
   * are UTF-8 by RFC 4279 §5.1), or undefined for an unknown identity (the
   * client gets unknown_psk_identity). Enables the TLS 1.2 PSK suites (RFC
   * 4279, RFC 5489), after the certificate suites unless `suites` says otherwise.
   */
  psk?: (identity: Uint8Array) => Uint8Array | undefined;
  /**
   * TLS 1.3: accept up to this many bytes of 0-RTT early data from a client
   * resuming one of our tickets (default 0: refuse, and skip what comes, as
   * RFC 8446 §4.2.10 requires). Accepted early data may be a replay: the
   * session delivers it apart (Session.recvEarlyData(), the channel's
   * `earlyData$`) so the application can tell. Tickets take early data once
   * (remembered until they expire): a second use is refused early data and
   * resumes with 1-RTT data only; see the README on what a fleet needs.
   */
  maxEarlyData?: number;
  /** Tickets remembered against 0-RTT replay (default 100000); when full, early data is refused until entries expire. */
  earlyDataReplayCache?: number;
  /** Sent to PSK clients to help them choose an identity (RFC 4279 §5.2); default none. */
  pskIdentityHint?: string | Uint8Array;
  /** TLS 1.3 NewSessionTicket messages issued after the handshake (default 2, like OpenSSL); TLS 1.2 issues one when the client asks. */
  tickets?: number;
  /**
   * Keys that seal session tickets (TLS 1.2 and 1.3), the first one current,
   * the others still accepted: give every server of a fleet the same list to
   * resume each other's sessions, and rotate by putting a new key first.
   * Default: a key made at start, so tickets work within this process only.
   */
  ticketKeys?: TicketKey[];
  /** Seconds a ticket we issue stays valid (default 7200, as OpenSSL). */
  ticketLifetime?: number;
  /** 'always' sends a HelloRetryRequest with a cookie even when a key share would do. */
  helloRetry?: 'when-needed' | 'always';
  /**
   * Groups worth a HelloRetryRequest: when the client supports one of them,
   * ranked above (in `groups`) every group it sent a share for, we ask for its
   * share instead of using one in hand. ['X25519MLKEM768'] insists on
   * post-quantum key exchange with every client able to do it (OpenSSL 3.5's
   * default does so). Default none: a share in hand wins, saving a round trip.
   */
  retryForGroups?: GroupName[];
  /**
   * We never accept 0-RTT data; a client that sends it anyway (it resumes with
   * a ticket from another server) has its early data skipped, as RFC 8446
   * §4.2.10 requires, up to this many bytes (default 16384, OpenSSL's
   * max_early_data default). More is unexpected_message.
   */
  maxSkippedEarlyData?: number;
}

export type TlsVersionName = 'TLSv1.2' | 'TLSv1.3';

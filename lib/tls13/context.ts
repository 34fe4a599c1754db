/**
 * What a handshake state may do to its connection. States receive this in
 * `handle()` and hold only the values valid at their point of the handshake.
 */
import type { AlertName } from '../errors.js';
import type { RecordOpen, RecordSeal } from '../record/protection.js';
import type { Tls12Framing } from '../record/tls12-protection.js';
import type { SessionInfo } from '../handshake/session-info.js';
import type { KeyingMaterialExporter } from '../handshake/keying-material-exporter.js';
import type { HandshakeMessage } from '../wire/handshake.js';
import type { ClientConfig, ServerConfig } from './config.js';
import type { CipherSuite } from './suites.js';
import type { Transcript } from './transcript.js';

/**
 * Records a server drops as 0-RTT data it declined (RFC 8446 §4.2.10):
 * 'undecryptable', those that fail to decrypt under the client handshake key
 * (until one decrypts); 'application_data', every protected record (after a
 * HelloRetryRequest, until the second ClientHello).
 */
export type EarlyDataSkip = 'undecryptable' | 'application_data';

export interface Context<C extends ClientConfig | ServerConfig = ClientConfig | ServerConfig> {
  readonly config: C;
  readonly info: SessionInfo;
  /** The TLS 1.3 suite, once negotiated. */
  readonly suite?: CipherSuite;
  /** Sets the TLS 1.3 suite once negotiated (sizes Finished, picks record limits). */
  useSuite(suite: CipherSuite): void;
  /**
   * The negotiated version, once known: it selects the message codecs and
   * receive rules (a TLS 1.2 ChangeCipherSpec goes to the state, a 1.3 one is
   * ignored; 1.2 protects every content type). Before it, TLS 1.3 rules apply.
   */
  useVersion(version: ProtocolName): void;
  /** Queues a TLS 1.3 handshake message under the current write keys and adds it to the transcript. */
  send(msg: HandshakeMessage, transcript: Transcript | undefined): void;
  /** Queues a handshake message already encoded with its header (TLS 1.2 bodies), adding it to the transcript. */
  sendEncoded(raw: Uint8Array, transcript: Transcript | undefined): void;
  /** Queues the middlebox-compatibility ChangeCipherSpec (at most once per connection). */
  sendCompatCcs(): void;
  /** Queues a TLS 1.2 ChangeCipherSpec under the current write protection; install the new one right after. */
  sendChangeCipherSpec(): void;
  /**
   * Switches incoming protection to `epoch` (higher than the current one: 0
   * is plaintext; TLS 1.2's CCS starts epoch 1, TLS 1.3 numbers its keys as
   * RFC 9147 does); the handshake buffer must be aligned.
   */
  installRead(protection: RecordOpen, epoch: number): void;
  /** Switches outgoing protection to `epoch` after flushing what was queued under the old one. */
  installWrite(protection: RecordSeal, epoch: number): void;
  /**
   * How TLS 1.2 records of `epoch` are framed on this connection's transport:
   * 5-byte headers and implicit sequence numbers over a stream, DTLS's
   * 13-byte headers with epoch and explicit sequence numbers over datagrams.
   */
  tls12Framing(epoch: number): Tls12Framing;
  /** The epoch of the installed read / write protection (0: none yet). */
  readonly readEpoch: number;
  readonly writeEpoch: number;
  /** Queues a warning alert that leaves the connection open (TLS 1.2: no_renegotiation). */
  sendWarningAlert(alert: AlertName): void;
  /** NSS key-log line for a secret, if the user asked for key logging. */
  keylog(label: string, clientRandom: Uint8Array, secret: Uint8Array): void;
  /** Marks the handshake complete: application data may flow. */
  handshakeComplete(): void;
  /** Client: application data written from now on goes out as 0-RTT data under `seal`, up to `maxBytes` in all; `exporter` is the early exporter. */
  startEarlyData(seal: RecordSeal, maxBytes: number, exporter: KeyingMaterialExporter): void;
  /** Client: queues a handshake message under the 0-RTT key (EndOfEarlyData), adding it to the transcript. */
  sendEarly(msg: HandshakeMessage, transcript: Transcript): void;
  /** Client: no more 0-RTT data; declined data is sent again once the handshake completes. */
  endEarlyData(accepted: boolean): void;
  /**
   * Server: application data read under the current (early) key is 0-RTT
   * data, up to `maxBytes`; a key change ends it. Our Finished is out, so we
   * may write 0.5-RTT data from now on.
   */
  acceptEarlyData(maxBytes: number, exporter: KeyingMaterialExporter): void;
  /** Drops declined early data from now on (up to the configured bound); a key change ends it. */
  skipEarlyData(skip: EarlyDataSkip): void;
  /**
   * True when a reply to a KeyUpdate request is to be sent now; false while an
   * earlier reply is still unsent, which then answers this request too.
   */
  claimKeyUpdateReply(): boolean;
  /**
   * RFC 8449, once record_size_limit is negotiated: protected records we send
   * carry at most `sendContent` bytes of content, and a protected record whose
   * plaintext (TLS 1.3: with type byte and padding) exceeds `receivePlaintext`
   * is record_overflow. Absent where limits are not enforced (DTLS): states
   * then neither offer nor answer the extension.
   */
  limitRecords?(sendContent: number, receivePlaintext: number): void;
}

export type ProtocolName = 'TLSv1.3' | 'TLSv1.2';

/**
 * One handshake state (rustls's model): handles one message, returns the next
 * state. `M` is the message vocabulary of its version (TLS 1.3's, or 1.2's).
 */
export interface State<C extends ClientConfig | ServerConfig = ClientConfig | ServerConfig, M = HandshakeMessage> {
  /** The handshake types this state takes: any other is refused from its header, before its body arrives. */
  readonly expects: readonly number[];
  handle(ctx: Context<C>, msg: M, raw: Uint8Array): State<C, any>;
  /** TLS 1.2 only: the peer's ChangeCipherSpec, for the state that waits for it; elsewhere it is unexpected. */
  handleChangeCipherSpec?(ctx: Context<C>): State<C, any>;
}

/** Implemented by the Connected state of either role. */
export interface PostHandshake {
  /** Sends a KeyUpdate and moves to the next write secret. */
  updateWriteKey(ctx: Context, requestPeerUpdate: boolean): void;
}

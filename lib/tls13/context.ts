/**
 * What a handshake state may do to its connection. States receive this in
 * `handle()` and hold only the values valid at their point of the handshake.
 */
import type { SessionInfo } from '../session/contract.js';
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
  /** Sets the suite once negotiated (sizes Finished, picks record limits). */
  useSuite(suite: CipherSuite): void;
  /** Queues a handshake message under the current write keys and adds it to the transcript. */
  send(msg: HandshakeMessage, transcript: Transcript | undefined): void;
  /** Queues the middlebox-compatibility ChangeCipherSpec (at most once per connection). */
  sendCompatCcs(): void;
  /** Switches incoming protection; the handshake buffer must be aligned. */
  setReadSecret(secret: Uint8Array): void;
  /** Switches outgoing protection after flushing what was queued under the old keys. */
  setWriteSecret(secret: Uint8Array): void;
  /** NSS key-log line for a secret, if the user asked for key logging. */
  keylog(label: string, clientRandom: Uint8Array, secret: Uint8Array): void;
  /** Marks the handshake complete: application data may flow. */
  handshakeComplete(): void;
  /** Drops declined early data from now on (up to the configured bound); a key change ends it. */
  skipEarlyData(skip: EarlyDataSkip): void;
  /**
   * True when a reply to a KeyUpdate request is to be sent now; false while an
   * earlier reply is still unsent, which then answers this request too.
   */
  claimKeyUpdateReply(): boolean;
}

/** One handshake state (rustls's model): handles one message, returns the next state. */
export interface State<C extends ClientConfig | ServerConfig = ClientConfig | ServerConfig> {
  /** The handshake types this state takes: any other is refused from its header, before its body arrives. */
  readonly expects: readonly number[];
  handle(ctx: Context<C>, msg: HandshakeMessage, raw: Uint8Array): State<C>;
}

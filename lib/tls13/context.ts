/**
 * What a handshake state may do to its connection. States receive this in
 * `handle()` and hold only the values valid at their point of the handshake.
 */
import type { SessionInfo } from '../session/contract.js';
import type { HandshakeMessage } from '../wire/handshake.js';
import type { ClientConfig, ServerConfig } from './config.js';
import type { CipherSuite } from './suites.js';
import type { Transcript } from './transcript.js';

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
}

/** One handshake state (rustls's model): handles one message, returns the next state. */
export interface State<C extends ClientConfig | ServerConfig = ClientConfig | ServerConfig> {
  handle(ctx: Context<C>, msg: HandshakeMessage, raw: Uint8Array): State<C>;
}

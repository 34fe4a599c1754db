/**
 * The non-blocking Session contract (GnuTLS's GNUTLS_NONBLOCK model): every
 * call that would block returns AGAIN and is simply called again later.
 */

/** Returned by any call that would block: call it again after the next readiness event. */
export const AGAIN = 'AGAIN' as const;
export type Again = typeof AGAIN;
/** Returned by pull()/recv() when the peer closed (transport end, or close_notify). */
export const EOF = 'EOF' as const;
export type Eof = typeof EOF;

/** What the session waits for when a call returned AGAIN. */
export type Direction = 'read' | 'write';

/** The byte (TLS) or datagram (DTLS) transport under a session. */
export interface Transport {
  /** Writes bytes; returns how many were accepted (may be fewer), or AGAIN when none can be. */
  push(bytes: Uint8Array): number | Again;
  /** Reads at most `max` bytes: some bytes, AGAIN when none are ready, EOF at the end. */
  pull(max: number): Uint8Array | Again | Eof;
  /** Why the transport ended, when it failed (ECONNRESET, ...): kept as the cause of the session's error. */
  readonly error?: Error;
}

/**
 * The datagram transport under a DTLS session: whole datagrams, never split
 * or joined. Order and delivery are not guaranteed.
 */
export interface DatagramTransport {
  /** Sends one datagram; returns its length once handed to the network, or AGAIN when it cannot be now. */
  push(datagram: Uint8Array): number | Again;
  /** The next received datagram, AGAIN when none is waiting, EOF once the transport is closed. */
  pull(): Uint8Array | Again | Eof;
  /** Why the transport ended, when it failed. */
  readonly error?: Error;
}

import type { SessionInfo } from '../handshake/session-info.js';
export type { SessionInfo, SessionTicket, Tls12SessionTicket, Tls13SessionTicket } from '../handshake/session-info.js';

/** The interface the RxJS layer programs against. */
export interface NonBlockingSession {
  handshake(): 'done' | Again;
  /** The next decrypted chunk of application data, AGAIN, or EOF after close_notify / transport end. */
  recv(): Uint8Array | Again | Eof;
  /** Queues data; returns the count once written, AGAIN if the transport blocked (resume with send()). */
  send(data?: Uint8Array): number | Again;
  /** Decrypted application bytes buffered inside the session. */
  pending(): number;
  /** What the last AGAIN waited for. */
  direction(): Direction;
  /** ms until the next DTLS retransmission is due, or undefined when no timer runs. */
  timeout(): number | undefined;
  /** Sends close_notify; 'done' once it is written. */
  bye(): 'done' | Again;
  readonly info: SessionInfo;
}

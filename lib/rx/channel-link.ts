import type { SchedulerLike } from 'rxjs';
import type { TlsError } from '../errors.js';
import type { Again, NonBlockingSession, SessionInfo, Transport } from '../session/contract.js';
import type { Readiness } from './readiness.js';

/** A session the channel can attach to its transport (Session.client/server are); keyUpdate() and exportKeyingMaterial() are optional. */
export type ChannelSession = NonBlockingSession & {
  setTransport(transport: Transport): void;
  keyUpdate?(requestPeer?: boolean): 'done' | Again;
  /** Server, TLS 1.3: a post-handshake CertificateRequest (Session.requestClientCertificate()). */
  requestClientCertificate?(): 'done' | Again;
  exportKeyingMaterial?(label: string, context: Uint8Array | undefined, length: number): Uint8Array;
  /** Bytes of records queued for the transport and not yet accepted (Session.unsent()). */
  unsent?(): number;
  /** Fails the session from outside, sending the error's alert (Session.abort()). */
  abort?(reason: TlsError): void;
  /** Client, TLS 1.3: queues 0-RTT data, returns the bytes taken (Session.sendEarlyData()). */
  sendEarlyData?(data: Uint8Array): number;
  /** Server, TLS 1.3: the next chunk of accepted 0-RTT data (Session.recvEarlyData()). */
  recvEarlyData?(): Uint8Array | undefined;
  /** Server: send() may be called before the handshake ends, 0.5-RTT (Session.canSendEarly()). */
  canSendEarly?(): boolean;
};

/** The byte stream under a channel: a Transport, its readiness, and how to close it. */
export interface ChannelLink {
  transport: Transport;
  readiness: Readiness;
  /** Half-close (TCP FIN) after everything pushed; called once our close_notify is written. */
  close?(): void;
  /** Releases the transport; called exactly once, when the channel finishes however it ends. */
  destroy?(): void;
}

export interface ChannelOptions {
  /** Runs the handshake timeout. Default asyncScheduler; pass the TestScheduler in virtual-time tests. */
  scheduler?: SchedulerLike;
  /**
   * ms (on `scheduler`) after which an unfinished handshake fails with a
   * TlsError of code 'ERR_TLS_HANDSHAKE_TIMEOUT' (user_canceled and
   * close_notify are sent to the peer). Default: none.
   */
  handshakeTimeout?: number;
  /**
   * Keep our write side open after the peer's close_notify, until complete().
   * Default false: once the peer closed, everything already queued is written,
   * then our close_notify (node's allowHalfOpen, at the TLS level).
   */
  allowHalfOpen?: boolean;
  /** Vets the finished handshake before it is reported or data flows; return or throw an Error to abort. */
  verify?: (info: SessionInfo) => Error | undefined | void;
}

import { AsyncSubject, asyncScheduler, merge, Observable, ReplaySubject, Subject } from 'rxjs';
import type { Observer, SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { TlsError } from '../errors.js';
import { AGAIN, type DatagramTransport, type NonBlockingSession, type SessionInfo } from '../session/contract.js';
import { type DatagramChannelEvent, failureAlertEvent } from './channel-event.js';
import { drainPending } from './drain-pending.js';
import type { Readiness } from './readiness.js';
import { retransmitOnTimeout } from './retransmit-on-timeout.js';
import { SendQueue, type SendQueueSession } from './send-queue.js';
import { vetHandshake } from './vet-handshake.js';

/** A DTLS session a DatagramChannel can drive (Session.client/server with `protocol: 'dtls'` are). */
export type DatagramChannelSession = NonBlockingSession & {
  setTransport(transport: DatagramTransport): void;
  /** The largest send(): one datagram's room for application data. */
  dataMtu(): number;
  /** Fails the session from outside, sending the error's alert. */
  abort?(reason: TlsError): void;
};

/** The datagrams under a channel: a DatagramTransport, its readiness, and how to release it. */
export interface DatagramChannelLink {
  transport: DatagramTransport;
  readiness: Readiness;
  /** Releases the transport (closes the socket); called exactly once, when the channel finishes however it ends. */
  destroy?(): void;
}

export interface DatagramChannelOptions {
  /**
   * Runs the retransmission timers. Default asyncScheduler; pass the
   * TestScheduler in virtual-time tests, with the session's
   * `clock: () => scheduler.now()`. The whole-handshake timeout is the
   * session's own (`handshakeTimeout`), counted on that clock.
   */
  scheduler?: SchedulerLike;
  /** Vets the finished handshake before it is reported or data flows; return or throw an Error to abort. */
  verify?: (info: SessionInfo) => Error | undefined | void;
}

/**
 * A DTLS 1.2 connection as an RxJS subject: the datagram sibling of
 * SecureChannel. Message boundaries are kept, delivery and order are not.
 *
 * - **Subscribe** to receive the plaintext of each received datagram, one
 *   emission per record. The peer's close_notify completes the stream; a
 *   fatal error (the peer's alert, the session's handshake timeout) errors
 *   it. Received datagrams go to the current subscribers: with none, they
 *   are dropped, as datagrams are.
 * - **`next(bytes)`** sends one datagram: one `session.send()`, queued until
 *   the handshake is done and while the transport says AGAIN. Larger than
 *   `dataMtu()`: nothing is sent and `events$` reports `large_packet`; the
 *   channel goes on.
 * - **`complete()`** sends what is queued, then close_notify, and ends the
 *   channel (DTLS has no half-close). The peer's close_notify is answered
 *   with ours, dropping what was queued (RFC 5246 §7.2.1).
 * - **`error(err)`** aborts without close_notify.
 * - **Unsubscribing the last subscriber** before the end tears the channel
 *   down (close_notify attempted once).
 *
 * The handshake starts at construction, driven by `retransmitOnTimeout`:
 * each readiness event steps it, and a timer on `scheduler` for the
 * session's `timeout()` retransmits the current flight. After the handshake
 * the session is read on every readable event, subscribers or not: a
 * finished side must still answer the peer's repeated flights (its last
 * flight was lost), and reading is what does it.
 *
 * `events$` reports the handshake, large packets, alerts and closure
 * (replayed); `handshake$` emits the negotiated SessionInfo once.
 *
 * @example
 * const channel = openDatagramChannel(Session.client({ protocol: 'dtls', serverName: 'coap.local', ca }), link);
 * channel.handshake$.subscribe((info) => console.log(info.version, info.suite));
 * channel.subscribe((datagram) => console.log('got', datagram.length, 'bytes'));
 * channel.next(new TextEncoder().encode('hello')); // one datagram
 * channel.complete();                              // close_notify
 */
export class DatagramChannel extends Observable<Uint8Array> implements Observer<Uint8Array> {
  /** Handshake, large packets, alerts and closure, in order; replayed to late subscribers; completes after 'closed'. */
  readonly events$: Observable<DatagramChannelEvent>;
  /** The negotiated parameters once the handshake is done; errors if the channel ends before. */
  readonly handshake$: Observable<SessionInfo>;
  /** Emits each time every message given to next() has been handed to the session. */
  readonly drain$: Observable<void>;

  private readonly events = new ReplaySubject<DatagramChannelEvent>();
  private readonly handshakeDone = new AsyncSubject<SessionInfo>();
  private readonly incoming = new Subject<Uint8Array>();
  private readonly writer: SendQueue;
  private handshaking?: Subscription;
  private reading?: Subscription;
  private subscribers = 0;
  private ready = false;
  private finished = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly session: DatagramChannelSession,
    private readonly link: DatagramChannelLink,
    private readonly options: DatagramChannelOptions = {},
  ) {
    let self!: DatagramChannel;
    super((subscriber) => self.attach(subscriber));
    self = this;
    this.events$ = this.events.asObservable();
    this.handshake$ = this.handshakeDone.asObservable();
    this.writer = new SendQueue(this.sendingSession(), link.readiness, {
      onError: (err) => this.fail(err),
      onClosed: () => this.onCloseNotifySent(),
    });
    this.drain$ = this.writer.drain$;
    session.setTransport(link.transport);
    this.startHandshake();
  }

  /** The negotiated parameters (filled in as the handshake goes). */
  get info(): SessionInfo {
    return this.session.info;
  }

  /** The largest message next() can send now (the session's dataMtu()). */
  get dataMtu(): number {
    return this.session.dataMtu();
  }

  /** Plaintext bytes given to next() and not yet handed to the session. */
  get bufferedAmount(): number {
    return this.writer.bufferedAmount;
  }

  /** True once the channel has finished (closed or failed) and released its transport. */
  get closed(): boolean {
    return this.finished;
  }

  /** Sends `message` as one datagram (queued while the handshake runs or the transport is full); ignored after the end. */
  next(message: Uint8Array): void {
    if (!this.finished) this.writer.push(message);
  }

  /** Sends what is queued, then close_notify; the channel then ends. */
  complete(): void {
    if (!this.finished) this.writer.end();
  }

  /** Aborts: no close_notify, queue dropped, transport released, subscribers errored with `err`. */
  error(err: unknown): void {
    this.finish({ error: err });
  }

  /**
   * The session as the send queue sees it: a send() too large for one
   * datagram is reported and skipped instead of failing the queue.
   */
  private sendingSession(): SendQueueSession {
    const s = this.session;
    return {
      direction: () => s.direction(),
      bye: () => s.bye(),
      send: (data) => {
        try {
          return s.send(data);
        } catch (err) {
          if (!(err instanceof TlsError && err.code === 'large_packet' && data)) throw err;
          this.events.next({ type: 'large_packet', size: data.length, room: s.dataMtu() });
          return 0;
        }
      },
    };
  }

  private attach(subscriber: Subscriber<Uint8Array>) {
    if (this.finished) {
      if (this.failure) subscriber.error(this.failure.error);
      else subscriber.complete();
      return;
    }
    const sub = this.incoming.subscribe(subscriber);
    this.subscribers++;
    return () => {
      sub.unsubscribe();
      if (--this.subscribers === 0) this.tearDown();
    };
  }

  private startHandshake(): void {
    const { readable$, writable$ } = this.link.readiness;
    const sub = retransmitOnTimeout(this.session, this.options.scheduler ?? asyncScheduler, merge(readable$, writable$)).subscribe({
      next: () => this.onHandshake(),
      error: (err: unknown) => this.fail(err),
    });
    if (!sub.closed) this.handshaking = sub;
  }

  private onHandshake(): void {
    this.handshaking = undefined;
    const rejected = vetHandshake(this.session, this.options.verify);
    if (rejected) return this.fail(rejected.error);
    this.ready = true;
    this.events.next({ type: 'handshake', info: this.session.info });
    this.handshakeDone.next(this.session.info);
    this.handshakeDone.complete();
    this.writer.start();
    this.startReading();
  }

  private startReading(): void {
    if (this.finished) return;
    const sub = drainPending(this.session, this.link.readiness.readable$).subscribe({
      next: (message) => this.incoming.next(message),
      error: (err: unknown) => this.fail(err),
      // EOF: the peer's close_notify.
      complete: () => this.onPeerClosed(),
    });
    if (!sub.closed) this.reading = sub;
  }

  /** The peer's close_notify: answer with ours (best effort, queue dropped), then end. */
  private onPeerClosed(): void {
    if (this.finished) return;
    this.events.next({ type: 'alert', alert: 'close_notify', fromPeer: true });
    this.writer.stop();
    this.closeNow();
    this.finish();
  }

  private onCloseNotifySent(): void {
    this.events.next({ type: 'alert', alert: 'close_notify', fromPeer: false });
    this.finish();
  }

  /** close_notify once, without waiting: a datagram the transport cannot take now is lost, as on a network. */
  private closeNow(): void {
    try {
      if (this.session.bye() !== AGAIN) this.events.next({ type: 'alert', alert: 'close_notify', fromPeer: false });
    } catch {
      // The channel is ending anyway.
    }
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    // A failure raised outside the session still tells the peer; no-op if the session failed itself.
    if (err instanceof TlsError && err.sendsAlert) this.session.abort?.(err);
    const alert = failureAlertEvent(err);
    if (alert) this.events.next(alert);
    this.finish({ error: err });
  }

  /** The last subscriber left early: best-effort close_notify, then release. */
  private tearDown(): void {
    if (this.finished) return;
    this.writer.stop();
    if (this.ready) this.closeNow();
    this.finish();
  }

  /** Ends everything once: stop work, release the transport, settle every stream. */
  private finish(failure?: { error: unknown }): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = failure;
    this.handshaking?.unsubscribe();
    this.reading?.unsubscribe();
    this.writer.stop();
    this.link.destroy?.();
    if (!this.ready) this.handshakeDone.error(failure ? failure.error : new Error('channel closed before the handshake completed'));
    if (failure) this.incoming.error(failure.error);
    else this.incoming.complete();
    this.events.next(failure ? { type: 'closed', error: failure.error } : { type: 'closed' });
    this.events.complete();
  }
}

/**
 * Opens a DatagramChannel: attaches a DTLS `session` to `link.transport` and
 * starts the handshake. Works over `virtualDatagramLink()` endpoints (pass
 * them as they are), a node:dgram socket (lib/node), your own transport.
 *
 * @example
 * testScheduler.run(() => {
 *   const [c, s] = virtualDatagramLink({ latency: 10, loss: 0.3, seed: 7 }, testScheduler);
 *   const clock = () => testScheduler.now();
 *   const client = openDatagramChannel(Session.client({ protocol: 'dtls', serverName: 'localhost', ca, clock }), c, { scheduler: testScheduler });
 *   const server = openDatagramChannel(Session.server({ protocol: 'dtls', cert, key, clock }), s, { scheduler: testScheduler });
 *   server.subscribe((datagram) => server.next(datagram)); // echo
 * });
 */
export function openDatagramChannel(session: DatagramChannelSession, link: DatagramChannelLink, options: DatagramChannelOptions = {}): DatagramChannel {
  return new DatagramChannel(session, link, options);
}

import { AsyncSubject, asyncScheduler, Observable, ReplaySubject, Subject, takeUntil, tap, throwError, timeout } from 'rxjs';
import type { Observer, Subscriber, Subscription } from 'rxjs';
import { TlsError, handshakeTimeout } from '../errors.js';
import { AGAIN, type SessionInfo, type SessionTicket } from '../session/contract.js';
import type { ChannelLink, ChannelOptions, ChannelSession } from './channel-link.js';
import { type ChannelEvent, failureAlertEvent } from './channel-event.js';
import { drainPending } from './drain-pending.js';
import { NewTickets } from './new-tickets.js';
import { retryOnAgain } from './retry-on-again.js';
import { SendQueue } from './send-queue.js';
import { vetHandshake } from './vet-handshake.js';

export type { ChannelLink, ChannelOptions, ChannelSession } from './channel-link.js';

/**
 * A TLS connection as an RxJS subject, shaped like `WebSocketSubject`:
 *
 * - **Subscribe** to receive decrypted chunks. Several subscribers share one
 *   read side. The peer's close_notify completes the stream; a transport end
 *   without close_notify errors it with a TlsError of code
 *   'premature_termination'; any fatal error errors it. Subscribers arriving
 *   after the end get the same completion or error at once.
 * - **`next(bytes)`** sends. Chunks queue until the handshake is done and
 *   while the session says AGAIN; they are written in order, each once.
 *   `bufferedAmount` and `drain$` show the queue (like WebSocket's).
 *   A TLS 1.3 client with `earlyData` and a ticket that allows it sends the
 *   first chunks at once as 0-RTT data (`info.earlyData` says whether the
 *   server took them; if not they go again after the handshake, nothing lost).
 * - **`earlyData$`** (server, TLS 1.3 `maxEarlyData`): the client's 0-RTT
 *   data, apart from the 1-RTT stream because an attacker can replay it.
 *   Answers given to next() go out at once (0.5-RTT), before the handshake ends.
 * - **`complete()`** writes what is queued, then close_notify, then
 *   half-closes the transport; reading goes on until the peer closes too.
 * - **`error(err)`** aborts: drops the queue, sends no close_notify (the peer
 *   sees a truncation), releases the transport, errors subscribers with `err`.
 * - **Unsubscribing the last subscriber** before the stream ended tears the
 *   connection down: the queue is dropped, close_notify is attempted once
 *   without waiting (so a peer sees a clean end of what we did send), the
 *   transport is released.
 *
 * The handshake starts at construction, whether or not anyone subscribed;
 * the session is read only while someone is subscribed and the channel is not
 * paused, so a slow reader never makes anything buffer without bound: bytes
 * wait in the transport, which applies back-pressure (a paused TCP socket,
 * a full virtual link).
 *
 * `events$` reports handshake, alerts and closure (see ChannelEvent; replayed),
 * `handshake$` emits the negotiated SessionInfo once (errors if the channel
 * ends first).
 *
 * @example
 * const channel = openChannel(Session.client({ serverName: 'example.com', ca }), link);
 * channel.handshake$.subscribe((info) => console.log(info.version, info.alpn));
 * channel.subscribe({ next: (chunk) => out.write(chunk), complete: () => out.end() });
 * channel.next(new TextEncoder().encode('GET / HTTP/1.0\r\n\r\n'));
 * channel.complete();
 */
export class SecureChannel extends Observable<Uint8Array> implements Observer<Uint8Array> {
  /** Handshake, alerts and closure, in order; replayed to late subscribers; completes after 'closed'. */
  readonly events$: Observable<ChannelEvent>;
  /** The negotiated parameters once the handshake is done; errors if the channel ends before. */
  readonly handshake$: Observable<SessionInfo>;
  /** Emits each time every chunk given to next() has been accepted by the session. */
  readonly drain$: Observable<void>;
  /**
   * Server: the 0-RTT data the client sent and we accepted (it may be a
   * replay, RFC 8446 §8: act on it only when that is safe), replayed to late
   * subscribers; completes when the handshake does. Emits nothing otherwise.
   */
  readonly earlyData$: Observable<Uint8Array>;
  /**
   * Each session ticket the peer sends (client side; node:tls's 'session'
   * event), as it arrives: TLS 1.3 NewSessionTickets come after the handshake
   * and are read only while the channel is subscribed. Pass one to a later
   * connection's `session: { session: ticket }` to resume. Replays the newest
   * few to late subscribers; completes when the channel closes. A server's
   * channel completes without emitting.
   */
  readonly session$: Observable<SessionTicket>;

  private readonly events = new ReplaySubject<ChannelEvent>();
  private readonly handshakeDone = new AsyncSubject<SessionInfo>();
  private readonly early = new ReplaySubject<Uint8Array>();
  private readonly incoming = new Subject<Uint8Array>();
  private readonly stopReading = new Subject<void>();
  private readonly writer: SendQueue;
  private readonly tickets: NewTickets;
  private handshaking?: Subscription;
  private reading?: Subscription;
  private subscribers = 0;
  private paused = false;
  private ready = false;
  private readEnded = false;
  private writeEnded = false;
  private finished = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly session: ChannelSession,
    private readonly link: ChannelLink,
    private readonly options: ChannelOptions = {},
  ) {
    let self!: SecureChannel;
    super((subscriber) => self.attach(subscriber));
    self = this;
    this.events$ = this.events.asObservable();
    this.handshake$ = this.handshakeDone.asObservable();
    this.earlyData$ = this.early.asObservable();
    this.writer = new SendQueue(session, link.readiness, {
      onError: (err) => this.fail(err),
      onClosed: () => this.onCloseNotifySent(),
    });
    this.drain$ = this.writer.drain$;
    this.tickets = new NewTickets(() => session.info);
    this.session$ = this.tickets.ticket$;
    session.setTransport(link.transport);
    this.startHandshake();
  }

  /** The negotiated parameters (filled in as the handshake goes). */
  get info(): SessionInfo {
    return this.session.info;
  }

  /** Plaintext bytes given to next() and not yet accepted by the session. */
  get bufferedAmount(): number {
    return this.writer.bufferedAmount;
  }

  /** True once the channel has finished (closed or failed) and released its transport. */
  get closed(): boolean {
    return this.finished;
  }

  /** False once the write side is closing or closed: next() would be ignored. */
  get writable(): boolean {
    return !this.finished && !this.writer.ending;
  }

  get isPaused(): boolean {
    return this.paused;
  }

  /** Stops reading the session (and so the transport) until resume(); nothing is lost. */
  pause(): void {
    if (this.paused) return;
    this.paused = true;
    this.stopReading.next();
  }

  /** Reads again, first everything that arrived while paused. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.startReading();
  }

  /** Sends `chunk` (queued while the handshake runs or the transport is full); ignored after complete()/error(). */
  next(chunk: Uint8Array): void {
    if (this.finished) return;
    // Before the handshake, with nothing queued ahead: as 0-RTT data, as much as the ticket allows.
    const early = !this.ready && this.writer.bufferedAmount === 0 && this.session.sendEarlyData ? this.session.sendEarlyData(chunk) : 0;
    if (early < chunk.length) this.writer.push(early > 0 ? chunk.subarray(early) : chunk);
  }

  /**
   * Sends a TLS 1.3 KeyUpdate after everything already given to next(),
   * asking the peer to update its keys too when `requestPeer`. Throws if the
   * session cannot; ignored after complete()/error().
   */
  keyUpdate(requestPeer = true): void {
    if (!this.session.keyUpdate) throw new Error('this session does not support keyUpdate()');
    if (!this.finished) this.writer.pushKeyUpdate(requestPeer);
  }

  /**
   * Server, TLS 1.3: asks the client for a certificate now (post-handshake
   * authentication, RFC 8446 §4.6.2; needs `requestCert` and a client that
   * offered it). The answer arrives as the channel reads: `info.authorized`
   * and `info.peerCertificates` change then, and a refused one errors the
   * channel with its alert. Usage errors throw; ignored after complete()/error().
   */
  requestClientCertificate(): void {
    if (!this.session.requestClientCertificate) throw new Error('this session does not support requestClientCertificate()');
    if (this.finished) return;
    // On AGAIN the request waits in the session's output, ahead of later chunks: the writer sends it when the transport drains.
    this.session.requestClientCertificate();
    this.writer.flushSessionOutput();
  }

  /**
   * Keying material bound to this connection (RFC 5705 / RFC 8446 §7.5), as
   * Session.exportKeyingMaterial; once handshake$ has emitted. Throws if the
   * session cannot export.
   */
  exportKeyingMaterial(label: string, context: Uint8Array | undefined, length: number): Uint8Array {
    if (!this.session.exportKeyingMaterial) throw new Error('this session does not support exportKeyingMaterial()');
    return this.session.exportKeyingMaterial(label, context, length);
  }

  /** Writes what is queued, then close_notify, then half-closes; the read side stays open. */
  complete(): void {
    if (!this.finished) this.writer.end();
  }

  /** Aborts: no close_notify, queue dropped, transport released, subscribers errored with `err`. */
  error(err: unknown): void {
    this.finish({ error: err });
  }

  private attach(subscriber: Subscriber<Uint8Array>) {
    if (this.readEnded) {
      if (this.failure) subscriber.error(this.failure.error);
      else subscriber.complete();
      return;
    }
    const sub = this.incoming.subscribe(subscriber);
    this.subscribers++;
    this.startReading();
    return () => {
      sub.unsubscribe();
      if (--this.subscribers === 0 && !this.readEnded) this.tearDown();
    };
  }

  private startHandshake(): void {
    const step = () => {
      const r = this.session.handshake();
      this.takeEarlyData(r === AGAIN);
      return r;
    };
    let handshake$ = retryOnAgain(step, this.session, this.link.readiness);
    const ms = this.options.handshakeTimeout;
    if (ms !== undefined) {
      const scheduler = this.options.scheduler ?? asyncScheduler;
      handshake$ = handshake$.pipe(timeout({ first: ms, scheduler, with: () => throwError(() => handshakeTimeout(ms)) }));
    }
    const sub = handshake$.subscribe({ next: () => this.onHandshake(), error: (err: unknown) => this.fail(err) });
    if (!sub.closed) this.handshaking = sub;
  }

  /** Server: hands over 0-RTT data as it arrives, and lets 0.5-RTT answers out once the session may send. */
  private takeEarlyData(handshaking: boolean): void {
    if (!this.session.recvEarlyData) return;
    for (let chunk = this.session.recvEarlyData(); chunk; chunk = this.session.recvEarlyData()) this.early.next(chunk);
    // A finished handshake starts the writer in onHandshake(), after the 'handshake' event.
    if (handshaking && this.session.canSendEarly?.()) this.writer.start();
  }

  private onHandshake(): void {
    this.handshaking = undefined;
    this.early.complete();
    // The peer learns why; the caller gets the hook's own error.
    const rejected = vetHandshake(this.session, this.options.verify);
    if (rejected) return this.fail(rejected.error);
    this.ready = true;
    this.events.next({ type: 'handshake', info: this.session.info });
    this.handshakeDone.next(this.session.info);
    this.handshakeDone.complete();
    this.tickets.check();
    this.writer.start();
    this.startReading();
  }

  private startReading(): void {
    if (this.reading || this.paused || !this.ready || this.subscribers === 0 || this.readEnded) return;
    let eof = false;
    // Records the session made while reading (a KeyUpdate reply) go out when
    // the transport drains, even if we have nothing of our own to send.
    const afterRead = () => {
      this.tickets.check();
      this.writer.flushSessionOutput();
    };
    const sub = drainPending(this.session, this.link.readiness.readable$)
      .pipe(
        tap({ complete: () => (eof = true) }),
        takeUntil(this.stopReading),
      )
      .subscribe({
        next: (chunk) => {
          this.tickets.check(); // a ticket read before this chunk is told first
          this.incoming.next(chunk);
        },
        error: (err: unknown) => this.fail(err),
        complete: () => {
          this.reading = undefined;
          if (eof) this.onPeerClosed();
        },
      });
    if (sub.closed) return;
    // Subscribed after drainPending, so it runs after each drain.
    sub.add(this.link.readiness.readable$.subscribe(afterRead));
    this.reading = sub;
    afterRead();
  }

  private onPeerClosed(): void {
    if (this.readEnded) return;
    this.readEnded = true;
    this.events.next({ type: 'alert', alert: 'close_notify', fromPeer: true });
    this.incoming.complete();
    if (!this.options.allowHalfOpen) this.writer.end();
    this.finishIfDone();
  }

  private onCloseNotifySent(): void {
    this.writeEnded = true;
    this.events.next({ type: 'alert', alert: 'close_notify', fromPeer: false });
    this.link.close?.();
    this.finishIfDone();
  }

  private finishIfDone(): void {
    if (this.readEnded && this.writeEnded) this.finish();
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    // A failure raised outside the session (the handshake timeout) still tells the peer; no-op if the session failed itself.
    if (err instanceof TlsError && err.sendsAlert) this.session.abort?.(err);
    const alert = failureAlertEvent(err);
    if (alert) this.events.next(alert);
    this.finish({ error: err });
  }

  /** The last reader left early: best-effort close_notify, then release. */
  private tearDown(): void {
    if (this.finished) return;
    this.writer.stop();
    if (this.ready && !this.writeEnded) {
      try {
        if (this.session.bye() !== AGAIN) {
          this.writeEnded = true;
          this.events.next({ type: 'alert', alert: 'close_notify', fromPeer: false });
          this.link.close?.();
        }
      } catch {
        // The connection is going away anyway.
      }
    }
    this.finish();
  }

  /** Ends everything once: stop work, release the transport, settle every stream. */
  private finish(failure?: { error: unknown }): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = failure;
    const failed = failure !== undefined;
    const error = failure?.error;
    this.handshaking?.unsubscribe();
    this.stopReading.next();
    this.writer.stop();
    this.link.destroy?.();
    if (!this.ready) this.handshakeDone.error(failed ? error : new Error('channel closed before the handshake completed'));
    this.early.complete();
    if (!this.readEnded) {
      this.readEnded = true;
      if (failed) this.incoming.error(error);
      else this.incoming.complete();
    }
    this.tickets.end();
    this.events.next(failed ? { type: 'closed', error } : { type: 'closed' });
    this.events.complete();
  }
}

/**
 * Opens a SecureChannel: attaches `session` to `link.transport` and starts
 * the handshake. Works over any Transport + Readiness: `virtualStreamLink()`
 * endpoints (pass them as they are), node sockets (lib/node), your own.
 *
 * @example
 * testScheduler.run(() => {
 *   const [c, s] = virtualStreamLink({ latency: 10 }, testScheduler);
 *   const client = openChannel(Session.client({ serverName: 'localhost', ca, clock: () => testScheduler.now() }), c);
 *   const server = openChannel(Session.server({ cert, key }), s);
 *   server.subscribe((chunk) => server.next(chunk)); // echo
 * });
 */
export function openChannel(session: ChannelSession, link: ChannelLink, options: ChannelOptions = {}): SecureChannel {
  return new SecureChannel(session, link, options);
}

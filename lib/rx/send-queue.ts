import { Subject, take, throwIfEmpty, type Observable, type Subscription } from 'rxjs';
import { AGAIN, type Again, type NonBlockingSession } from '../session/contract.js';
import { ReadinessEndedError, waitFor, type Readiness } from './readiness.js';

/** A KeyUpdate waiting in the queue, between the chunks it was requested after and before. */
interface KeyUpdateRequest {
  requestPeer: boolean;
}

/** The session calls a SendQueue makes; keyUpdate() only if keyUpdate requests are pushed. */
export type SendQueueSession = Pick<NonBlockingSession, 'send' | 'bye' | 'direction'> & {
  keyUpdate?(requestPeer?: boolean): 'done' | Again;
  /** Bytes the session queued for the transport and could not write yet. */
  unsent?(): number;
};

/** What a SendQueue reports to its owner. */
export interface SendQueueHooks {
  /** A throw from send()/bye() or an ended readiness stream: the connection is broken. */
  onError(error: unknown): void;
  /** close_notify has been written (after every queued chunk). */
  onClosed(): void;
}

/**
 * The write side of a channel: plaintext chunks go to `session.send()` in
 * order, each exactly once, resumed after AGAIN; an optional close_notify
 * (`end()`) follows the last chunk.
 *
 * - Chunks queue until `start()` (the handshake is done) and while a send is
 *   blocked. A chunk that has to wait is copied, so callers may reuse buffers.
 * - On AGAIN the queue waits for the next readiness event in the direction
 *   the session reports (GnuTLS: gnutls_record_get_direction), then calls
 *   `send()` with no data, which finishes the interrupted write and returns
 *   its count; only then is the chunk dropped from the queue.
 * - Calls are never nested: a push() from inside a callback of the session's
 *   own flush (a synchronous transport, a drain$ subscriber) is noted and
 *   handled when the current pass ends.
 *
 * It does not use retryOnAgain() per chunk because a concatMap of per-chunk
 * retries recurses once per chunk that completes synchronously (deep stacks
 * for large queues) and retryOnAgain() re-calls the operation at once on
 * subscribe; an explicit queue plus `waitFor()` keeps one loop and one
 * readiness subscription at a time.
 *
 * @example
 * const q = new SendQueue(session, readiness, { onError: fail, onClosed: () => socket.end() });
 * q.push(bytes);        // queued until start()
 * q.start();            // handshake done: write
 * q.end();              // close_notify after everything queued
 */
export class SendQueue {
  private readonly queue: Array<Uint8Array | KeyUpdateRequest> = [];
  private bytes = 0;
  /** send() returned AGAIN for queue[0]: its bytes are inside the session, finish with send(). */
  private resume = false;
  private wake?: Subscription;
  private started = false;
  private closing = false;
  private closed = false;
  private stopped = false;
  private flushing = false;
  private again = false;
  /** The session holds records of its own (made while reading) to write out with send(). */
  private sessionOutput = false;
  private readonly drained = new Subject<void>();

  /** Emits each time every queued chunk has been accepted by the session (bufferedAmount back to 0); completes on stop(). */
  readonly drain$: Observable<void> = this.drained.asObservable();

  constructor(
    private readonly session: SendQueueSession,
    private readonly readiness: Readiness,
    private readonly hooks: SendQueueHooks,
  ) {}

  /** Plaintext bytes queued and not yet accepted by the session. */
  get bufferedAmount(): number {
    return this.bytes;
  }

  /** True once end() was called (or stop()): further pushes are refused. */
  get ending(): boolean {
    return this.closing || this.stopped;
  }

  /** Queues a chunk; false if refused because the queue is ending or stopped. */
  push(chunk: Uint8Array): boolean {
    if (this.ending) return false;
    if (chunk.length === 0) return true;
    this.queue.push(chunk);
    this.bytes += chunk.length;
    this.flush();
    // Still waiting (not even handed to the session): keep our own copy
    // (new Uint8Array(), as Buffer#slice would not copy).
    const i = this.queue.lastIndexOf(chunk);
    if (i > 0 || (i === 0 && !this.resume)) this.queue[i] = new Uint8Array(chunk);
    return true;
  }

  /**
   * Queues a KeyUpdate after everything queued so far (session.keyUpdate();
   * resumed with send() on AGAIN). False if refused (ending, or the session
   * has no keyUpdate()).
   */
  pushKeyUpdate(requestPeer: boolean): boolean {
    if (this.ending || !this.session.keyUpdate) return false;
    this.queue.push({ requestPeer });
    this.flush();
    return true;
  }

  /** The session can send now (the handshake completed). */
  start(): void {
    this.started = true;
    this.flush();
  }

  /** Sends close_notify once everything queued is written. */
  end(): void {
    if (this.stopped) return;
    this.closing = true;
    this.flush();
  }

  /**
   * Writes records the session queued by itself while reading (a KeyUpdate
   * reply) that the transport did not take: they go out when it drains,
   * without waiting for our next chunk or for the peer to speak again.
   */
  flushSessionOutput(): void {
    if (!this.session.unsent?.()) return;
    this.sessionOutput = true;
    this.flush();
  }

  /** Drops whatever is queued and stops waiting; nothing more is written. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wake?.unsubscribe();
    this.wake = undefined;
    this.queue.length = 0;
    this.bytes = 0;
    this.drained.complete();
  }

  private flush(): void {
    if (this.flushing) {
      this.again = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.again = false;
        this.flushOnce();
      } while (this.again && !this.stopped);
    } catch (err) {
      this.stop();
      this.hooks.onError(err);
    } finally {
      this.flushing = false;
    }
  }

  private flushOnce(): void {
    if (!this.started || this.stopped || this.wake) return;
    while (this.queue.length) {
      const head = this.queue[0]!;
      const isData = head instanceof Uint8Array;
      const r = this.resume ? this.session.send() : isData ? this.session.send(head) : this.session.keyUpdate!(head.requestPeer);
      if (r === AGAIN) {
        this.resume = true;
        return this.waitForReadiness();
      }
      this.resume = false;
      this.queue.shift();
      if (isData) this.bytes -= head.length;
      if (isData && this.bytes === 0) this.drained.next();
      if (this.stopped) return;
    }
    if (this.sessionOutput) {
      // send() with no data writes what the session holds (0 once all of it is out).
      if (this.session.send() === AGAIN) return this.waitForReadiness();
      this.sessionOutput = false;
    }
    if (this.closing && !this.closed) {
      if (this.session.bye() === AGAIN) return this.waitForReadiness();
      this.closed = true;
      this.hooks.onClosed();
    }
  }

  private waitForReadiness(): void {
    const direction = this.session.direction();
    const sub = waitFor(direction, this.readiness)
      .pipe(
        take(1),
        throwIfEmpty(() => new ReadinessEndedError(direction)),
      )
      .subscribe({
        next: () => {
          this.wake = undefined;
          this.flush();
        },
        error: (err: unknown) => {
          this.wake = undefined;
          this.stop();
          this.hooks.onError(err);
        },
      });
    if (!sub.closed) this.wake = sub;
  }
}

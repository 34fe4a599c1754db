import type { Observable } from 'rxjs';
import type { Direction } from '../session/contract.js';

/**
 * The readiness model: the RxJS stand-in for select()/poll() on the transport
 * under a non-blocking session.
 *
 * Both streams are hot and edge-triggered: each emission means "something
 * changed, the transport may now be readable (data or EOF arrived) / writable
 * (room freed up)". They carry no value and are not replayed, so a consumer
 * must subscribe *before* the event it wants; the operators here do that
 * synchronously right after a call returned AGAIN, and since sessions are
 * synchronous no event can slip in between.
 *
 * Edge-triggering puts one duty on the session: AGAIN from recv()/handshake()
 * must mean "the transport itself said AGAIN", never "I skipped a record and
 * stopped" while more bytes sit unread in the transport — no further event
 * would come to wake us up.
 *
 * Streams are not expected to complete; completing while an operator waits
 * on one is reported as a {@link ReadinessEndedError}.
 *
 * @example
 * const readiness: Readiness = { readable$: socketReadable$, writable$: socketDrain$ };
 * waitFor(session.direction(), readiness).pipe(take(1)).subscribe(() => session.handshake());
 */
export interface Readiness {
  /** Emits when data (or EOF) may be available to pull(). */
  readable$: Observable<void>;
  /** Emits when push() may accept bytes again after it returned AGAIN. */
  writable$: Observable<void>;
}

/**
 * The readiness stream to wait on for the direction a session reported
 * (GnuTLS: gnutls_record_get_direction → select on read or write set).
 *
 * @example
 * if (session.handshake() === AGAIN) waitFor(session.direction(), readiness).pipe(take(1)).subscribe(step);
 */
export function waitFor(direction: Direction, readiness: Readiness): Observable<void> {
  return direction === 'write' ? readiness.writable$ : readiness.readable$;
}

/** A readiness stream completed while a call was still waiting on it: it can never be retried. */
export class ReadinessEndedError extends Error {
  constructor(readonly direction: Direction) {
    super(`readiness stream for '${direction}' completed while waiting after AGAIN`);
    this.name = 'ReadinessEndedError';
  }
}

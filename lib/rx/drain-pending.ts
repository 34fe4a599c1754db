import { Observable } from 'rxjs';
import { AGAIN, EOF, type NonBlockingSession } from '../session/contract.js';

/**
 * Emits every decrypted chunk a session can give, draining it completely on
 * subscribe and after each readable event.
 *
 * Why drain completely: one readable event may carry several records, and
 * decrypted bytes buffered inside the session are invisible to the transport's
 * readiness, so reading one chunk per event would strand data until more
 * bytes happen to arrive (GnuTLS's rule: after select, keep calling
 * gnutls_record_recv while gnutls_record_check_pending > 0).
 *
 * The drain loop calls `recv()` until it returns AGAIN with `pending()` at 0.
 * AGAIN while `pending()` > 0 breaks the contract; we give the session one
 * more `recv()` and then stop anyway, so a buggy session cannot spin us
 * forever. EOF completes; a throw from `recv()` and errors of `readable$`
 * propagate; completion of `readable$` drains once more, then completes.
 *
 * @example
 * drainPending(session, readiness.readable$).subscribe({
 *   next: (chunk) => app.write(chunk),
 *   complete: () => app.end(),          // close_notify or transport EOF
 * });
 */
export function drainPending(
  session: Pick<NonBlockingSession, 'recv' | 'pending'>,
  readable$: Observable<void>,
): Observable<Uint8Array> {
  return new Observable<Uint8Array>((subscriber) => {
    // A subscriber reacting to a chunk may cause another readable event
    // synchronously; instead of re-entering recv() mid-loop we note it and
    // loop once more when the current drain ends.
    let draining = false;
    let again = false;

    const drainOnce = (): void => {
      let graceUsed = false;
      while (!subscriber.closed) {
        const r = session.recv();
        if (r === EOF) {
          subscriber.complete();
          return;
        }
        if (r === AGAIN) {
          if (session.pending() === 0 || graceUsed) return;
          graceUsed = true;
          continue;
        }
        graceUsed = false;
        subscriber.next(r);
      }
    };

    const drain = (): void => {
      if (draining) {
        again = true;
        return;
      }
      draining = true;
      try {
        do {
          again = false;
          drainOnce();
        } while (again && !subscriber.closed);
      } catch (err) {
        subscriber.error(err);
      } finally {
        draining = false;
      }
    };

    drain();
    if (subscriber.closed) return;
    // Unsubscribed through the returned teardown when the consumer leaves.
    return readable$.subscribe({
      next: drain,
      error: (err: unknown) => subscriber.error(err),
      // No more events can come: take what is left, then end.
      complete: () => {
        drain();
        subscriber.complete();
      },
    });
  });
}

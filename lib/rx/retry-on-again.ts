import { defer, filter, of, repeat, take, throwIfEmpty, type Observable } from 'rxjs';
import { AGAIN, type Again, type Direction } from '../session/contract.js';
import { ReadinessEndedError, waitFor, type Readiness } from './readiness.js';

/**
 * Calls a non-blocking operation until it stops returning AGAIN.
 *
 * `op()` runs on subscribe. Each AGAIN makes it wait for the next event of the
 * readiness stream that `session.direction()` names (read it right after the
 * AGAIN, as GnuTLS's gnutls_record_get_direction is meant to be), then call
 * `op()` again. The first non-AGAIN result is emitted and the stream
 * completes. A throw from `op()` becomes an error notification; unsubscribing
 * drops the readiness subscription. If the awaited readiness stream completes
 * the result errors with {@link ReadinessEndedError} instead of hanging.
 *
 * @example
 * retryOnAgain(() => session.handshake(), session, readiness)
 *   .subscribe(() => console.log('handshake done', session.info.version));
 *
 * // resume a blocked send: the first call carries the data, retries don't
 * let data: Uint8Array | undefined = payload;
 * retryOnAgain(() => { const r = session.send(data); data = undefined; return r; }, session, readiness);
 */
export function retryOnAgain<T>(
  op: () => T | Again,
  session: { direction(): Direction },
  readiness: Readiness,
): Observable<T> {
  return defer(() => of(op())).pipe(
    // Re-run the deferred call once per readiness event. The direction is read
    // here, synchronously after the AGAIN, so it is the one that AGAIN meant.
    repeat({
      delay: () => {
        const direction = session.direction();
        return waitFor(direction, readiness).pipe(
          take(1),
          throwIfEmpty(() => new ReadinessEndedError(direction)),
        );
      },
    }),
    filter((r): r is T => r !== AGAIN),
    take(1),
  );
}

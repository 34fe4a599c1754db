/**
 * An echo service over a SecureChannel, with back-pressure.
 */
import { EMPTY, type Observable, ignoreElements, take } from 'rxjs';
import { pacedRead } from '../../lib/rx/paced-read.js';
import type { SecureChannel } from '../../lib/rx/secure-channel.js';

export interface EchoOptions {
  /**
   * Bytes given to `channel.next()` and not yet accepted (`bufferedAmount`)
   * above which reading stops until they drain. Default 64 KiB.
   */
  highWaterMark?: number;
}

/**
 * Writes every chunk `channel` receives back to it, and stops reading while
 * more than `highWaterMark` bytes wait to be sent: a peer that writes and
 * never reads then meets TCP back-pressure (its writes stall) instead of
 * making us buffer its data without bound. While paused nothing is lost:
 * the bytes wait in the socket, and reading resumes on `drain$`. So
 * `bufferedAmount` never exceeds `highWaterMark` plus one chunk (one
 * record, at most 16 KiB).
 *
 * The result completes once the peer's close_notify has been read and
 * everything before it echoed (our close_notify follows, unless the channel
 * allows half-open); it errors as the channel does. Subscribe once per
 * channel; unsubscribing tears the channel down.
 *
 * @example
 * listenTls({ port: 8443, cert, key })
 *   .pipe(mergeMap((channel) => echo(channel).pipe(catchError(() => EMPTY))))
 *   .subscribe();
 */
export function echo(channel: SecureChannel, { highWaterMark = 64 * 1024 }: EchoOptions = {}): Observable<never> {
  // pacedRead pauses the channel while the inner Observable runs: none when
  // under the mark, the next drain$ when over it (drain$ completes without
  // emitting if the channel fails, which ends the wait too).
  return pacedRead(channel, (chunk) => {
    channel.next(chunk);
    return channel.bufferedAmount > highWaterMark ? channel.drain$.pipe(take(1), ignoreElements()) : EMPTY;
  });
}

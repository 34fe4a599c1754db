import { Duplex } from 'node:stream';
import { filter, take, type Subscription } from 'rxjs';
import type { SecureChannel } from '../rx/secure-channel.js';

/**
 * A node Duplex stream over a SecureChannel, for APIs that want a socket-like
 * stream (e.g. `https.request({ createConnection })`, `stream.pipeline`).
 *
 * - Reading follows node's back-pressure: the channel is paused whenever
 *   `push()` returns false and resumed on `_read()`, so the socket underneath
 *   stops being read instead of buffering.
 * - A write's callback runs once the channel's session accepted the bytes
 *   (`drain$`), so `write()` returns false while the TLS layer is blocked.
 * - `end()` sends close_notify (the callback of `end()` runs once it is
 *   written); the peer's close_notify ends the readable side; with node's
 *   default `allowHalfOpen: false` the writable side then ends too.
 * - `destroy()` tears the channel down (best-effort close_notify);
 *   `destroy(err)` aborts it (no close_notify). A failing channel destroys the
 *   stream with its error (e.g. a TlsError 'premature_termination').
 *
 * @example
 * https.request({ host: 'localhost', path: '/', createConnection: (_opts, cb) => {
 *   connectTls({ port, ca }).subscribe({ next: (ch) => cb(null, toDuplex(ch)), error: (e) => cb(e) });
 * } });
 */
export function toDuplex(channel: SecureChannel): Duplex {
  let subscription: Subscription | undefined;
  const duplex = new Duplex({
    read() {
      channel.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (!channel.writable) return callback(new Error('write after the TLS channel closed its write side'));
      channel.next(chunk);
      if (channel.bufferedAmount === 0) return callback();
      let drained = false;
      channel.drain$.pipe(take(1)).subscribe({
        next: () => {
          drained = true;
          callback();
        },
        complete: () => drained || callback(new Error('the TLS channel closed before the data was written')),
      });
    },
    final(callback) {
      channel.complete();
      channel.events$
        .pipe(
          filter((e) => e.type === 'closed' || (e.type === 'alert' && e.alert === 'close_notify' && !e.fromPeer)),
          take(1),
        )
        .subscribe((e) => callback(e.type === 'closed' && e.error ? (e.error as Error) : undefined));
    },
    destroy(err, callback) {
      if (err && !channel.closed) channel.error(err);
      subscription?.unsubscribe();
      callback(err);
    },
  });
  channel.pause(); // until the first _read()
  subscription = channel.subscribe({
    next: (chunk) => {
      if (!duplex.push(chunk)) channel.pause();
    },
    error: (err: unknown) => duplex.destroy(err as Error),
    complete: () => duplex.push(null),
  });
  if (duplex.destroyed) subscription.unsubscribe(); // the channel had already failed
  return duplex;
}

/**
 * Moving bytes between node streams (stdin, stdout) and a SecureChannel
 * with back-pressure both ways.
 */
import type { Readable, Writable } from 'node:stream';
import { EMPTY, type Observable, fromEvent, ignoreElements, take } from 'rxjs';
import type { SecureChannel } from '../../lib/rx/secure-channel.js';

/**
 * Writes `chunk` to `out`; completes at once if `out` takes more, else on its
 * next 'drain'. For pacedRead(), which pauses the channel meanwhile, so a
 * slow reader of `out` (a pipe into `sleep 1; wc -c`) slows the connection
 * down instead of making us buffer. If `out` fails, 'drain' never comes:
 * handle its 'error' event.
 *
 * @example
 * pacedRead(channel, (chunk) => writeTo(process.stdout, chunk)).subscribe();
 */
export function writeTo(out: Writable, chunk: Uint8Array): Observable<never> {
  if (out.write(chunk)) return EMPTY;
  return fromEvent(out, 'drain').pipe(take(1), ignoreElements());
}

/**
 * Sends what `input` yields to `channel`, then complete()s it at the
 * input's end. Reading pauses while more than `highWaterMark` bytes wait in
 * the channel (`bufferedAmount`, which also holds what is given before the
 * handshake is done) and resumes on `drain$`. Returns a function that stops
 * listening and pauses `input`.
 */
export function sendFrom(input: Readable, channel: SecureChannel, highWaterMark = 64 * 1024): () => void {
  let waiting: { unsubscribe(): void } | undefined;
  const onData = (chunk: Buffer) => {
    channel.next(chunk);
    if (waiting || channel.bufferedAmount <= highWaterMark) return;
    input.pause();
    waiting = channel.drain$.pipe(take(1)).subscribe(() => {
      waiting = undefined;
      input.resume();
    });
  };
  const onEnd = () => channel.complete();
  input.on('data', onData);
  input.once('end', onEnd);
  return () => {
    waiting?.unsubscribe();
    input.off('data', onData);
    input.off('end', onEnd);
    input.pause();
  };
}

/** Ends `out` and resolves once everything written has been flushed; rejects on its error. */
export function finish(out: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (out.writableFinished) return resolve();
    if (out.destroyed) return reject(out.errored ?? new Error('the stream was closed'));
    const onError = (e: Error) => (out.off('finish', onFinish), reject(e));
    const onFinish = () => (out.off('error', onError), resolve());
    out.once('error', onError);
    out.once('finish', onFinish);
    out.end();
  });
}

import { from, Observable, type ObservableInput, type Subscription } from 'rxjs';

/** What pacedRead() needs from a channel: a stream of chunks it can pause and resume. */
export interface PausableSource<T> extends Observable<T> {
  pause(): void;
  resume(): void;
}

/**
 * `concatMap` with back-pressure for a SecureChannel: maps each chunk with
 * `project` and pauses the channel while the inner Observable runs, so a slow
 * (asynchronous) consumer makes the channel stop reading the transport
 * instead of buffering chunks without bound. Inner results are emitted in
 * order; the output completes when the channel completes and the last inner
 * finished, and errors on the first error of either.
 *
 * An inner that completes synchronously costs no pause. Unsubscribing
 * unsubscribes from the channel (for a SecureChannel: tears it down if this
 * was its last reader).
 *
 * @example
 * // write each chunk to a file, reading the next one only when the write is done
 * pacedRead(channel, (chunk) => from(file.write(chunk))).subscribe();
 */
export function pacedRead<T, R>(source: PausableSource<T>, project: (value: T, index: number) => ObservableInput<R>): Observable<R> {
  return new Observable<R>((subscriber) => {
    let index = 0;
    let sourceDone = false;
    let inner: Subscription | undefined;

    const upstream = source.subscribe({
      next: (value) => {
        let sync = true;
        let innerDone = false;
        const sub = from(project(value, index++)).subscribe({
          next: (r) => subscriber.next(r),
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            innerDone = true;
            if (sync) return;
            inner = undefined;
            if (sourceDone) subscriber.complete();
            else source.resume();
          },
        });
        sync = false;
        if (innerDone || subscriber.closed) return;
        // Still running: hold the source until it is done.
        inner = sub;
        source.pause();
      },
      error: (err: unknown) => subscriber.error(err),
      complete: () => {
        sourceDone = true;
        if (!inner) subscriber.complete();
      },
    });

    return () => {
      inner?.unsubscribe();
      upstream.unsubscribe();
    };
  });
}

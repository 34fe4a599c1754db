import { expect } from 'chai';
import { concatMap, map, Observable, of, throwError, timer, type Subscriber } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { pacedRead, type PausableSource } from '../../lib/rx/index.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

/** Emits `values` synchronously while not paused (like a channel draining its session), then completes. */
function pausable(values: string[]) {
  const log: string[] = [];
  let paused = false;
  let sub: Subscriber<string> | undefined;
  const pump = () => {
    while (sub && !paused && !sub.closed) {
      const v = values.shift();
      if (v === undefined) return sub.complete();
      sub.next(v);
    }
  };
  const source = new Observable<string>((s) => {
    sub = s;
    pump();
    return () => log.push('unsubscribed');
  }) as PausableSource<string>;
  source.pause = () => {
    log.push('pause');
    paused = true;
  };
  source.resume = () => {
    log.push('resume');
    paused = false;
    pump();
  };
  return { source, log };
}

describe('pacedRead', () => {
  it('pauses the source while each asynchronous inner runs, keeping order', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, flush }) => {
      const { source, log } = pausable(['a', 'b', 'c']);
      const slow = (v: string) => timer(10).pipe(concatMap(() => of(v.toUpperCase(), v)));
      expectObservable(pacedRead(source, slow)).toBe('10ms (Aa) 6ms (Bb) 6ms (Cc|)');
      flush();
      expect(log).to.deep.equal(['pause', 'resume', 'pause', 'resume', 'pause', 'resume', 'unsubscribed']);
    });
  });

  it('completes only after the last inner when the source ends meanwhile', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      // This source completes right after its last value, while that value's inner still runs.
      const source = new Observable<string>((s) => {
        s.next('x');
        s.complete();
      }) as PausableSource<string>;
      source.pause = () => {};
      source.resume = () => {};
      expectObservable(pacedRead(source, (v) => timer(5).pipe(map(() => v)))).toBe('5ms (x|)');
    });
  });

  it('costs no pause when the inner completes synchronously', () => {
    const { source, log } = pausable(['a', 'b', 'c']);
    const out: string[] = [];
    pacedRead(source, (v, i) => of(`${i}${v}`)).subscribe({ next: (v) => out.push(v), complete: () => out.push('|') });
    expect(out).to.deep.equal(['0a', '1b', '2c', '|']);
    expect(log).to.deep.equal(['unsubscribed']);
  });

  it('errors on an inner error and unsubscribes the source', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, flush }) => {
      const { source, log } = pausable(['a', 'b']);
      expectObservable(pacedRead(source, () => throwError(() => new Error('bad')))).toBe('#', {}, new Error('bad'));
      flush();
      expect(log).to.deep.equal(['unsubscribed']);
    });
  });
});

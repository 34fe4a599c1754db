import { expect } from 'chai';
import { TestScheduler } from 'rxjs/testing';
import { AGAIN, type Again, type Direction } from '../../lib/session/contract.js';
import { ReadinessEndedError, retryOnAgain } from '../../lib/rx/index.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

/** An op returning the scripted results in order, recording the frames it ran at. */
function scripted<T>(scheduler: TestScheduler, results: Array<T | Again | Error>) {
  const calls: number[] = [];
  const op = (): T | Again => {
    calls.push(scheduler.now());
    const r = results.shift();
    if (r === undefined) throw new Error('op called too often');
    if (r instanceof Error) throw r;
    return r;
  };
  return { op, calls };
}

const reads = { direction: (): Direction => 'read' };
const writes = { direction: (): Direction => 'write' };

describe('retryOnAgain', () => {
  it('emits an immediate result without subscribing to readiness', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const readable$ = hot<void>('--r');
      const writable$ = hot<void>('--w');
      const { op } = scripted(ts, [42]);
      expectObservable(retryOnAgain(op, reads, { readable$, writable$ })).toBe('(a|)', { a: 42 });
      expectSubscriptions(readable$.subscriptions).toBe([]);
    });
  });

  it('retries on each readable event and emits at the second one', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const readable$ = hot<void>('--r--r--r');
      const writable$ = hot<void>('-w-w-w-w-');
      const { op, calls } = scripted(ts, [AGAIN, AGAIN, 'x']);
      expectObservable(retryOnAgain(op, reads, { readable$, writable$ })).toBe('-----(a|)', { a: 'x' });
      // A fresh, single-event subscription per AGAIN; none left afterwards.
      expectSubscriptions(readable$.subscriptions).toBe(['^-!', '--^--!']);
      expectSubscriptions(writable$.subscriptions).toBe([]);
      flush();
      expect(calls).to.deep.equal([0, 2, 5]);
    });
  });

  it("waits on writable$ when direction() is 'write'", () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const readable$ = hot<void>('-r-r-r');
      const writable$ = hot<void>('----w-');
      const { op } = scripted(ts, [AGAIN, 5]);
      expectObservable(retryOnAgain(op, writes, { readable$, writable$ })).toBe('----(a|)', { a: 5 });
      expectSubscriptions(readable$.subscriptions).toBe([]);
      expectSubscriptions(writable$.subscriptions).toBe(['^---!']);
    });
  });

  it('follows direction() as it changes between attempts', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const readable$ = hot<void>('-r---r');
      const writable$ = hot<void>('---w--');
      const directions: Direction[] = ['write', 'read'];
      const session = { direction: () => directions.shift()! };
      const { op } = scripted(ts, [AGAIN, AGAIN, 'ok']);
      // waits on write (frame 3), then on read (frame 5); the read at frame 1 is ignored
      expectObservable(retryOnAgain(op, session, { readable$, writable$ })).toBe('-----(a|)', { a: 'ok' });
    });
  });

  it('turns a throw from op into an error notification, first call or retry', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const boom = new Error('boom');
      const readable$ = hot<void>('--r--r');
      const writable$ = hot<void>('');
      expectObservable(retryOnAgain(scripted(ts, [boom]).op, reads, { readable$, writable$ })).toBe('#', {}, boom);
      expectObservable(retryOnAgain(scripted(ts, [AGAIN, boom]).op, reads, { readable$, writable$ })).toBe(
        '--#',
        {},
        boom,
      );
      expectSubscriptions(readable$.subscriptions).toBe(['^-!']);
    });
  });

  it('unsubscribing before a result drops the readiness subscription and stops calling op', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const readable$ = hot<void>('-----r');
      const writable$ = hot<void>('');
      const { op, calls } = scripted(ts, [AGAIN, 'late']);
      expectObservable(retryOnAgain(op, reads, { readable$, writable$ }), '^--!').toBe('');
      expectSubscriptions(readable$.subscriptions).toBe(['^--!']);
      flush();
      expect(calls).to.deep.equal([0]);
    });
  });

  it('errors with ReadinessEndedError when the awaited stream completes', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const readable$ = hot<void>('---|');
      const writable$ = hot<void>('');
      const { op } = scripted(ts, [AGAIN]);
      expectObservable(retryOnAgain(op, reads, { readable$, writable$ })).toBe(
        '---#',
        {},
        new ReadinessEndedError('read'),
      );
    });
  });
});

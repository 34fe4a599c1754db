import { expect } from 'chai';
import { take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AGAIN, EOF, type Again, type Eof } from '../../lib/session/contract.js';
import { drainPending } from '../../lib/rx/index.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
const bytes = (s: string) => new TextEncoder().encode(s);

type Step = string | Again | Eof | Error;

/**
 * A session whose recv() returns the scripted results in order (strings become
 * chunks); pending() reports what the script says is still buffered.
 */
function scriptedSession(script: Step[], pendingScript: number[] = []) {
  let recvCalls = 0;
  return {
    recv(): Uint8Array | Again | Eof {
      recvCalls++;
      const r = script.shift();
      if (r === undefined) throw new Error('recv called too often');
      if (r instanceof Error) throw r;
      return r === AGAIN || r === EOF ? r : bytes(r);
    },
    pending: () => pendingScript.shift() ?? 0,
    get recvCalls() {
      return recvCalls;
    },
  };
}

describe('drainPending', () => {
  it('emits every buffered chunk after one readable event, in the same frame', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const readable$ = hot<void>('--r------r');
      // subscribe: nothing yet; frame 2: three records; frame 9: one more
      const session = scriptedSession([AGAIN, 'a', 'b', 'c', AGAIN, 'd', AGAIN]);
      expectObservable(drainPending(session, readable$), '^---------!').toBe('--(abc)--d', {
        a: bytes('a'),
        b: bytes('b'),
        c: bytes('c'),
        d: bytes('d'),
      });
      expectSubscriptions(readable$.subscriptions).toBe('^---------!');
    });
  });

  it('drains what is already buffered on subscribe', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const readable$ = hot<void>('');
      const session = scriptedSession(['a', 'b', AGAIN]);
      expectObservable(drainPending(session, readable$)).toBe('(ab)', { a: bytes('a'), b: bytes('b') });
    });
  });

  it('completes on EOF, unsubscribing from readable$', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const readable$ = hot<void>('---r--r');
      const session = scriptedSession([AGAIN, 'a', EOF]);
      expectObservable(drainPending(session, readable$)).toBe('---(a|)', { a: bytes('a') });
      expectSubscriptions(readable$.subscriptions).toBe('^--!');
    });
  });

  it('propagates a throw from recv() as an error', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const alert = new Error('bad_record_mac');
      const readable$ = hot<void>('--r');
      const session = scriptedSession([AGAIN, 'a', alert]);
      expectObservable(drainPending(session, readable$)).toBe('--(a#)', { a: bytes('a') }, alert);
      expectSubscriptions(readable$.subscriptions).toBe('^-!');
    });
  });

  it('propagates an error of readable$', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const readable$ = hot<void>('--#', undefined, new Error('ECONNRESET'));
      const session = scriptedSession([AGAIN]);
      expectObservable(drainPending(session, readable$)).toBe('--#', undefined, new Error('ECONNRESET'));
    });
  });

  it('keeps calling recv() once more when AGAIN comes with pending() > 0', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable }) => {
      const readable$ = hot<void>('-r');
      // initial: AGAIN/pending 0; frame 1: 'a', AGAIN while 3 pending, then 'b', AGAIN/pending 0
      const session = scriptedSession([AGAIN, 'a', AGAIN, 'b', AGAIN], [0, 3, 0]);
      expectObservable(drainPending(session, readable$)).toBe('-(ab)', { a: bytes('a'), b: bytes('b') });
    });
  });

  it('stops instead of spinning when a buggy session keeps AGAIN with pending() > 0', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const readable$ = hot<void>('-r');
      const session = scriptedSession([AGAIN, AGAIN, AGAIN, AGAIN, AGAIN], [7, 7, 7, 7]);
      expectObservable(drainPending(session, readable$)).toBe('');
      flush();
      expect(session.recvCalls).to.equal(4); // two per drain: the call and its one retry
    });
  });

  it('stops calling recv() as soon as the consumer unsubscribes mid-drain', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const readable$ = hot<void>('--r');
      const session = scriptedSession([AGAIN, 'a', 'b', AGAIN]);
      expectObservable(drainPending(session, readable$).pipe(take(1))).toBe('--(a|)', { a: bytes('a') });
      flush();
      expect(session.recvCalls).to.equal(2);
    });
  });
});

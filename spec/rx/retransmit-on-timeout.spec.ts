import { expect } from 'chai';
import { Subject } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AGAIN, type Again } from '../../lib/session/contract.js';
import { retransmitOnTimeout } from '../../lib/rx/index.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

/**
 * A DTLS-like session: handshake() returns AGAIN until call number `doneAt`
 * (1-based), recording the virtual time of every call; timeout() reads the
 * next scripted value, by default the RFC 9147 doubling 1000, 2000, 4000, ...
 */
function fakeDtls(
  scheduler: TestScheduler,
  { doneAt = Infinity, timeouts, failAt }: { doneAt?: number; timeouts?: Array<number | undefined>; failAt?: number } = {},
) {
  const calls: number[] = [];
  let next = 1000;
  return {
    calls,
    handshake(): 'done' | Again {
      calls.push(scheduler.now());
      if (calls.length === failAt) throw new Error('handshake_failure');
      return calls.length >= doneAt ? 'done' : AGAIN;
    },
    timeout(): number | undefined {
      if (timeouts) return timeouts.shift();
      const t = next;
      next = Math.min(next * 2, 60_000);
      return t;
    },
  };
}

describe('retransmitOnTimeout', () => {
  it('calls handshake() on subscribe and at each doubling deadline until done', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, flush }) => {
      const session = fakeDtls(ts, { doneAt: 4 });
      expectObservable(retransmitOnTimeout(session, ts)).toBe('7000ms (d|)', { d: 'done' });
      flush();
      expect(session.calls).to.deep.equal([0, 1000, 3000, 7000]);
    });
  });

  it('emits done at once when the first step finishes, arming nothing', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, flush }) => {
      const session = fakeDtls(ts, { doneAt: 1 });
      expectObservable(retransmitOnTimeout(session, ts)).toBe('(d|)', { d: 'done' });
      flush();
      expect(session.calls).to.deep.equal([0]);
    });
  });

  it('unsubscribing cancels the pending timer', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, flush }) => {
      const session = fakeDtls(ts);
      expectObservable(retransmitOnTimeout(session, ts), '^ 1499ms !').toBe('');
      flush();
      expect(session.calls).to.deep.equal([0, 1000]);
      expect(ts.now()).to.equal(1500); // nothing was left scheduled beyond the unsubscribe
    });
  });

  it('stops the timer when timeout() is undefined, and waits for a trigger', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const session = fakeDtls(ts, { timeouts: [1000, undefined, 500], doneAt: 4 });
      const readable$ = hot('5000ms r');
      // 0: step, arm 1000 · 1000: step, no timer · 5000: readable → step, arm 500 · 5500: done
      expectObservable(retransmitOnTimeout(session, ts, readable$)).toBe('5500ms (d|)', { d: 'done' });
      flush();
      expect(session.calls).to.deep.equal([0, 1000, 5000, 5500]);
    });
  });

  it('never steps again after timeout() undefined without triggers', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, flush }) => {
      const session = fakeDtls(ts, { timeouts: [1000, undefined] });
      expectObservable(retransmitOnTimeout(session, ts)).toBe('');
      flush();
      expect(session.calls).to.deep.equal([0, 1000]);
    });
  });

  it('a trigger steps at once and re-arms from the new timeout(), dropping the stale deadline', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions, flush }) => {
      const session = fakeDtls(ts, { doneAt: 4 });
      const readable$ = hot('500ms r 2000ms r');
      // 0: arm 1000 · 500: readable, re-arm 2000 → 2500: expiry, arm 4000 · 2501: readable → done
      expectObservable(retransmitOnTimeout(session, ts, readable$)).toBe('2501ms (d|)', { d: 'done' });
      expectSubscriptions(readable$.subscriptions).toBe('^ 2500ms !');
      flush();
      expect(session.calls).to.deep.equal([0, 500, 2500, 2501]);
    });
  });

  it('propagates a throw from handshake() and cancels the timer', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, flush }) => {
      const session = fakeDtls(ts, { failAt: 3 });
      expectObservable(retransmitOnTimeout(session, ts)).toBe('3000ms #', undefined, new Error('handshake_failure'));
      flush();
      expect(session.calls).to.deep.equal([0, 1000, 3000]);
    });
  });

  it('propagates an error of trigger$', () => {
    const ts = newScheduler();
    ts.run(({ hot, expectObservable, flush }) => {
      const session = fakeDtls(ts);
      const readable$ = hot('1500ms #', undefined, new Error('ECONNREFUSED'));
      expectObservable(retransmitOnTimeout(session, ts, readable$)).toBe('1500ms #', undefined, new Error('ECONNREFUSED'));
      flush();
      expect(session.calls).to.deep.equal([0, 1000]);
    });
  });

  it('does not re-enter handshake() when the trigger fires synchronously inside it', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable, flush }) => {
      const calls: number[] = [];
      let depth = 0;
      let maxDepth = 0;
      const trigger$ = new Subject<void>();
      const session = {
        handshake(): 'done' | Again {
          depth++;
          maxDepth = Math.max(maxDepth, depth);
          calls.push(ts.now());
          // the first step "sends", and a synchronous peer answers at once
          if (calls.length === 2) trigger$.next();
          depth--;
          return calls.length >= 3 ? 'done' : AGAIN;
        },
        timeout: () => 1000,
      };
      expectObservable(retransmitOnTimeout(session, ts, trigger$)).toBe('1000ms (d|)', { d: 'done' });
      flush();
      expect(calls).to.deep.equal([0, 1000, 1000]);
      expect(maxDepth).to.equal(1);
    });
  });
});

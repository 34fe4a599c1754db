import { expect } from 'chai';
import { NEVER } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AGAIN, type Again } from '../../lib/session/contract.js';
import { ReadinessEndedError, SendQueue } from '../../lib/rx/index.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** A session whose send()/bye() say AGAIN while `blocked()`; it logs every call with its frame. */
function fakeSession(ts: TestScheduler, blocked: () => boolean) {
  const calls: string[] = [];
  let pending: number | undefined;
  return {
    calls,
    send(data?: Uint8Array): number | Again {
      calls.push(`${ts.now()}:send(${data ? text(data) : ''})`);
      if (data) pending = data.length;
      if (blocked()) return AGAIN;
      const n = pending ?? 0;
      pending = undefined;
      return n;
    },
    bye(): 'done' | Again {
      calls.push(`${ts.now()}:bye`);
      return blocked() ? AGAIN : 'done';
    },
    keyUpdate(requestPeer?: boolean): 'done' | Again {
      calls.push(`${ts.now()}:keyUpdate(${requestPeer})`);
      return blocked() ? AGAIN : 'done';
    },
    direction: () => 'write' as const,
  };
}

describe('SendQueue', () => {
  it('queues until start(), sends each chunk once in order, resumes after AGAIN on writable$, then close_notify', () => {
    const ts = newScheduler();
    ts.run(({ hot, flush }) => {
      const writable$ = hot<void>('-----w----w----w');
      const session = fakeSession(ts, () => ts.now() < 15);
      const closed: number[] = [];
      const q = new SendQueue(session, { readable$: NEVER, writable$ }, { onError: (e) => expect.fail(String(e)), onClosed: () => closed.push(ts.now()) });
      const drains: number[] = [];
      q.drain$.subscribe(() => drains.push(ts.now()));
      const reused = bytes('one');
      q.push(reused);
      reused.set(bytes('XXX')); // a queued chunk was copied
      q.push(bytes('two'));
      q.pushKeyUpdate(false);
      q.end();
      expect(q.push(bytes('late'))).to.equal(false);
      expect(q.bufferedAmount).to.equal(6);
      ts.schedule(() => q.start(), 2);
      flush();
      expect(session.calls).to.deep.equal([
        '2:send(one)', // AGAIN: waits for writable$
        '5:send()',
        '10:send()',
        '15:send()', // 'one' done
        '15:send(two)',
        '15:keyUpdate(false)',
        '15:bye',
      ]);
      expect(closed).to.deep.equal([15]);
      expect(drains).to.deep.equal([15]);
      expect(q.bufferedAmount).to.equal(0);
    });
  });

  it('reports a throw from the session and stops', () => {
    const ts = newScheduler();
    ts.run(() => {
      const errors: unknown[] = [];
      const boom = new Error('boom');
      const session = { ...fakeSession(ts, () => false), send: () => { throw boom; } };
      const q = new SendQueue(session, { readable$: NEVER, writable$: NEVER }, { onError: (e) => errors.push(e), onClosed: () => {} });
      q.start();
      q.push(bytes('x'));
      expect(errors).to.deep.equal([boom]);
      expect(q.push(bytes('y'))).to.equal(false);
    });
  });

  it('reports ReadinessEndedError when writable$ completes while it waits', () => {
    const ts = newScheduler();
    ts.run(({ cold, flush }) => {
      const errors: unknown[] = [];
      const q = new SendQueue(fakeSession(ts, () => true), { readable$: NEVER, writable$: cold<void>('---|') }, {
        onError: (e) => errors.push(e),
        onClosed: () => {},
      });
      q.start();
      q.push(bytes('x'));
      flush();
      expect(errors).to.deep.equal([new ReadinessEndedError('write')]);
    });
  });

  it('stop() drops the queue and completes drain$', () => {
    const ts = newScheduler();
    ts.run(() => {
      const q = new SendQueue(fakeSession(ts, () => true), { readable$: NEVER, writable$: NEVER }, { onError: () => {}, onClosed: () => {} });
      let completed = false;
      q.drain$.subscribe({ complete: () => (completed = true) });
      q.push(bytes('abc'));
      q.stop();
      expect([q.bufferedAmount, completed, q.ending]).to.deep.equal([0, true, true]);
    });
  });
});

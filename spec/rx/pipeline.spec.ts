import { expect } from 'chai';
import { concatMap, EMPTY, finalize, map, reduce, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AGAIN, type Direction, type Transport } from '../../lib/session/contract.js';
import { drainPending, retryOnAgain, type Readiness } from '../../lib/rx/index.js';
import { virtualStreamLink } from '../../lib/testing/index.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });

/** A "session" without TLS: recv/send pass straight through, remembering the direction of the last AGAIN. */
function plaintext(transport: Transport) {
  let direction: Direction = 'read';
  return {
    recv() {
      const r = transport.pull(4096);
      if (r === AGAIN) direction = 'read';
      return r;
    },
    send(data: Uint8Array) {
      const r = transport.push(data);
      if (r === AGAIN) direction = 'write';
      return r;
    },
    pending: () => 0,
    direction: () => direction,
  };
}

/** Sends all of `data`, resuming after partial writes and AGAIN. */
function sendAll(s: ReturnType<typeof plaintext>, readiness: Readiness, data: Uint8Array): Observable<never> {
  if (data.length === 0) return EMPTY;
  return retryOnAgain(() => s.send(data), s, readiness).pipe(concatMap((n) => sendAll(s, readiness, data.subarray(n))));
}

describe('retryOnAgain + drainPending over virtualStreamLink', () => {
  it('moves a payload through back-pressure and short reads, then EOF, at exact virtual times', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualStreamLink({ latency: 10, chunkSize: 300, capacity: 1000 }, ts);
      const payload = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) & 0xff);
      const sender = plaintext(a.transport);
      const receiver = plaintext(b.transport);

      // 1000 bytes fit per round trip: pushes at 0, 10, 20, 30, 40; close at 40.
      const sent$ = sendAll(sender, a.readiness, payload).pipe(finalize(() => a.close()));
      expectObservable(sent$).toBe('40ms |');

      // The last data and the EOF both land at 50.
      const received$ = drainPending(receiver, b.readiness.readable$).pipe(
        reduce((all, chunk) => [...all, ...chunk], [] as number[]),
        map((all) => all.length === payload.length && all.every((v, i) => v === payload[i])),
      );
      expectObservable(received$).toBe('50ms (t|)', { t: true });
    });
  });
});

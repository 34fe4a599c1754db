import { expect } from 'chai';
import fc from 'fast-check';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AGAIN, EOF, type Again, type Eof } from '../../lib/session/contract.js';
import { virtualStreamLink, type VirtualEndpoint } from '../../lib/testing/index.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (r: Uint8Array | Again | Eof) => (typeof r === 'string' ? r : new TextDecoder().decode(r));
/**
 * Runs `fn` at `frame`, after arrivals due in that frame. Arrivals are actions
 * scheduled at push time, so they run after actions a test queued up front for
 * the same frame; real consumers react to readable$ and never see this.
 */
const at = (ts: TestScheduler, frame: number, fn: () => void) => ts.schedule(() => ts.schedule(fn, 0), frame);
const events = (e: VirtualEndpoint, which: 'readable$' | 'writable$') => e.readiness[which].pipe(map(() => 'e'));

describe('virtualStreamLink', () => {
  it('delivers bytes exactly `latency` frames after the push', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualStreamLink({ latency: 30 }, ts);
      const seen: Array<[number, string]> = [];
      ts.schedule(() => a.transport.push(bytes('abc')), 10);
      ts.schedule(() => seen.push([ts.now(), text(b.transport.pull(100))]), 39);
      b.readiness.readable$.subscribe(() => seen.push([ts.now(), text(b.transport.pull(100))]));
      expectObservable(events(b, 'readable$')).toBe('40ms e');
      expectObservable(events(a, 'readable$')).toBe('');
      ts.schedule(() => expect(seen).to.deep.equal([[39, AGAIN], [40, 'abc']]), 41);
    });
  });

  it('works in both directions independently', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualStreamLink({ latency: 3 }, ts);
      ts.schedule(() => b.transport.push(bytes('pong')), 1);
      expectObservable(events(a, 'readable$')).toBe('4ms e');
      expectObservable(events(b, 'readable$')).toBe('');
      at(ts, 4, () => expect(text(a.transport.pull(10))).to.equal('pong'));
    });
  });

  it('with latency 0 delivers in the same frame, but never inside push()', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualStreamLink({}, ts);
      ts.schedule(() => {
        a.transport.push(bytes('x'));
        expect(b.transport.pull(10)).to.equal(AGAIN);
      }, 5);
      expectObservable(events(b, 'readable$')).toBe('5ms e');
    });
  });

  it('returns at most chunkSize bytes per pull, and at most max', () => {
    const ts = newScheduler();
    ts.run(() => {
      const [a, b] = virtualStreamLink({ latency: 5, chunkSize: 4 }, ts);
      ts.schedule(() => a.transport.push(bytes('0123456789')), 0);
      at(ts, 5, () => {
        const reads = [100, 100, 1, 100, 100].map((max) => text(b.transport.pull(max)));
        expect(reads).to.deep.equal(['0123', '4567', '8', '9', AGAIN]);
      });
    });
  });

  it('coalesces separate pushes into one pull, as a byte stream does', () => {
    const ts = newScheduler();
    ts.run(() => {
      const [a, b] = virtualStreamLink({ latency: 2 }, ts);
      ts.schedule(() => a.transport.push(bytes('abc')), 0);
      ts.schedule(() => a.transport.push(bytes('def')), 1);
      at(ts, 2, () => expect(text(b.transport.pull(100))).to.equal('abc'));
      ts.schedule(() => a.transport.push(bytes('ghi')), 2);
      ts.schedule(() => expect(text(b.transport.pull(100))).to.equal('defghi'), 10);
    });
  });

  it('copies pushed bytes, so the caller may reuse its buffer', () => {
    const ts = newScheduler();
    ts.run(() => {
      const [a, b] = virtualStreamLink({ latency: 1 }, ts);
      const buf = bytes('abc');
      ts.schedule(() => {
        a.transport.push(buf);
        buf.fill(0);
      }, 0);
      at(ts, 1, () => expect(text(b.transport.pull(10))).to.equal('abc'));
    });
  });

  it('applies back-pressure: partial accept, AGAIN, then writable$ once the reader frees room', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualStreamLink({ latency: 5, capacity: 8 }, ts);
      const results: Array<[number, number | Again]> = [];
      const push = (n: number) => results.push([ts.now(), a.transport.push(new Uint8Array(n))]);
      ts.schedule(() => [5, 5, 1].forEach(push), 0); // 5, then 3 of 5 fit, then full
      ts.schedule(() => push(1), 7); // arrived but unread still counts
      ts.schedule(() => b.transport.pull(4), 20);
      a.readiness.writable$.subscribe(() => push(6)); // room for 4
      expectObservable(events(a, 'writable$')).toBe('20ms e');
      expectObservable(events(b, 'writable$')).toBe('');
      ts.schedule(
        () => expect(results).to.deep.equal([[0, 5], [0, 3], [0, AGAIN], [7, AGAIN], [20, 4]]),
        21,
      );
    });
  });

  it('does not emit writable$ when no push was refused', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualStreamLink({ latency: 1, capacity: 8 }, ts);
      ts.schedule(() => a.transport.push(new Uint8Array(8)), 0);
      ts.schedule(() => b.transport.pull(8), 3);
      expectObservable(events(a, 'writable$')).toBe('');
    });
  });

  it('delivers EOF after the data sent before close(), once everything was read', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualStreamLink({ latency: 10 }, ts);
      const reads: Array<[number, string]> = [];
      const pull = () => reads.push([ts.now(), text(b.transport.pull(1))]);
      ts.schedule(() => a.transport.push(bytes('hi')), 0);
      ts.schedule(() => a.close(), 1);
      ts.schedule(pull, 5);
      at(ts, 10, () => [1, 2, 3].forEach(pull));
      at(ts, 11, () => [1, 2].forEach(pull));
      expectObservable(events(b, 'readable$')).toBe('10ms e e'); // data at 10, EOF at 11
      ts.schedule(() => {
        expect(reads).to.deep.equal([
          [5, AGAIN],
          [10, 'h'],
          [10, 'i'],
          [10, AGAIN],
          [11, EOF],
          [11, EOF],
        ]);
        expect(() => a.transport.push(bytes('late'))).to.throw(/after close/);
      }, 12);
    });
  });

  it('close() is a half-close: the closing side still receives', () => {
    const ts = newScheduler();
    ts.run(() => {
      const [a, b] = virtualStreamLink({ latency: 1 }, ts);
      ts.schedule(() => a.close(), 0);
      ts.schedule(() => b.transport.push(bytes('reply')), 2);
      at(ts, 3, () => {
        expect(b.transport.pull(10)).to.equal(EOF);
        expect(text(a.transport.pull(10))).to.equal('reply');
        expect(a.transport.pull(10)).to.equal(AGAIN);
      });
    });
  });

  it('rejects nonsense arguments', () => {
    const ts = newScheduler();
    expect(() => virtualStreamLink({ latency: -1 }, ts)).to.throw(RangeError);
    expect(() => virtualStreamLink({ chunkSize: 0 }, ts)).to.throw(RangeError);
    expect(() => virtualStreamLink({ capacity: 0 }, ts)).to.throw(RangeError);
    const [a] = virtualStreamLink({}, ts);
    expect(() => a.transport.pull(0)).to.throw(RangeError);
    expect(a.transport.push(new Uint8Array(0))).to.equal(0);
  });

  describe('property: random pushes, pulls and waits', () => {
    type Op =
      | { kind: 'push'; side: 0 | 1; size: number }
      | { kind: 'pull'; side: 0 | 1; max: number }
      | { kind: 'wait'; ms: number };
    const side = fc.constantFrom<0 | 1>(0, 1);
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant('push' as const), side, size: fc.nat(120) }),
      fc.record({ kind: fc.constant('pull' as const), side, max: fc.integer({ min: 1, max: 64 }) }),
      fc.record({ kind: fc.constant('wait' as const), ms: fc.nat(15) }),
    );
    const options = fc.record({
      latency: fc.nat(10),
      chunkSize: fc.oneof(fc.constant(Infinity), fc.integer({ min: 1, max: 40 })),
      capacity: fc.integer({ min: 1, max: 200 }),
    });

    /** What one direction has done, with the push times needed to model arrival. */
    interface Flow {
      sent: number[];
      sentAt: number[];
      received: number[];
      next: number;
    }

    it('delivers exactly what was accepted, in order, with exact back-pressure and arrival', () => {
      fc.assert(
        fc.property(options, fc.array(op, { maxLength: 80 }), (opts, ops) => {
          const ts = newScheduler();
          ts.run(() => {
            const ends = virtualStreamLink(opts, ts);
            const flows: Flow[] = [0, 1].map(() => ({ sent: [], sentAt: [], received: [], next: 0 }));
            let t = 0;
            for (const o of ops) {
              if (o.kind === 'wait') {
                t += o.ms;
                continue;
              }
              ts.schedule(() => {
                if (o.kind === 'push') {
                  const flow = flows[o.side]!;
                  const data = Uint8Array.from({ length: o.size }, () => flow.next++ & 0xff);
                  const r = ends[o.side]!.transport.push(data);
                  const room = opts.capacity - (flow.sent.length - flow.received.length);
                  const expected = o.size === 0 ? 0 : room <= 0 ? AGAIN : Math.min(o.size, room);
                  expect(r).to.equal(expected);
                  // Bytes the link refused were never sent: the next push starts after the accepted ones.
                  const accepted = typeof r === 'number' ? r : 0;
                  flow.next -= o.size - accepted;
                  flow.sent.push(...data.subarray(0, accepted));
                  for (let i = 0; i < accepted; i++) flow.sentAt.push(ts.now());
                } else {
                  // pulling on side s reads the flow from the other side
                  const flow = flows[1 - o.side]!;
                  // Operations were scheduled before any arrival, so in a shared
                  // frame they run first: a byte is there iff pushed + latency < now.
                  const arrived = flow.sentAt.filter((at) => at + opts.latency < ts.now()).length;
                  const available = arrived - flow.received.length;
                  const r = ends[o.side]!.transport.pull(o.max);
                  if (available === 0) {
                    expect(r).to.equal(AGAIN);
                  } else {
                    expect(r).to.be.instanceOf(Uint8Array);
                    const got = r as Uint8Array;
                    expect(got.length).to.equal(Math.min(o.max, opts.chunkSize, available));
                    flow.received.push(...got);
                  }
                }
              }, t);
            }
            // Close both sides, let everything land, read to EOF.
            ts.schedule(() => ends.forEach((e) => e.close()), t);
            ts.schedule(() => {
              ends.forEach((end, s) => {
                const flow = flows[1 - s]!;
                for (let r = end.transport.pull(1000); r !== EOF; r = end.transport.pull(1000)) {
                  expect(r).to.be.instanceOf(Uint8Array);
                  flow.received.push(...(r as Uint8Array));
                }
                expect(end.transport.pull(1000)).to.equal(EOF);
                expect(flow.received).to.deep.equal(flow.sent);
              });
            }, t + opts.latency + 1);
          });
        }),
        { numRuns: 300 },
      );
    });
  });
});

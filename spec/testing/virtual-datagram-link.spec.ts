import { expect } from 'chai';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { AGAIN, EOF, type Again, type Eof } from '../../lib/session/contract.js';
import {
  virtualDatagramLink,
  type VirtualDatagramEndpoint,
  type VirtualDatagramLinkOptions,
} from '../../lib/testing/index.js';

const newScheduler = () =>
  new TestScheduler((actual, expected) => {
    expect(actual).to.deep.equal(expected);
  });
/** A datagram whose first byte is `n` (and `size` bytes long). */
const dgram = (n: number, size = 1) => new Uint8Array(size).fill(n);
const label = (r: Uint8Array | Again | Eof) => (typeof r === 'string' ? r : r[0]!);
/** Runs `fn` at `frame`, after the arrivals due in that frame (see virtual-stream-link.spec). */
const at = (ts: TestScheduler, frame: number, fn: () => void) => ts.schedule(() => ts.schedule(fn, 0), frame);
const events = (e: VirtualDatagramEndpoint, which: 'readable$' | 'writable$') => e.readiness[which].pipe(map(() => 'e'));

/** Every datagram `reader` receives, as [arrival time, label (first byte by default)], by reacting to readable$. */
function collect(ts: TestScheduler, reader: VirtualDatagramEndpoint, labelOf = (d: Uint8Array) => d[0]!): Array<[number, number]> {
  const seen: Array<[number, number]> = [];
  reader.readiness.readable$.subscribe(() => {
    for (let r = reader.transport.pull(); typeof r !== 'string'; r = reader.transport.pull()) seen.push([ts.now(), labelOf(r)]);
  });
  return seen;
}

const u16 = (i: number) => Uint8Array.of(i >>> 8, i & 0xff);

/** Sends `count` two-byte datagrams labelled 0, 1, ... from a, datagram i at time i, and returns what b received by `until`. */
function run(options: VirtualDatagramLinkOptions, count: number, until = count + 1000) {
  const ts = newScheduler();
  let result: { seen: Array<[number, number]>; a: VirtualDatagramEndpoint; b: VirtualDatagramEndpoint } | undefined;
  ts.run(() => {
    const [a, b] = virtualDatagramLink(options, ts);
    const seen = collect(ts, b, (d) => (d[0]! << 8) | d[1]!);
    for (let i = 0; i < count; i++) ts.schedule(() => a.transport.push(u16(i)), i);
    ts.schedule(() => {}, until);
    result = { seen, a, b };
  });
  return result!;
}

describe('virtualDatagramLink', () => {
  it('delivers each datagram exactly `latency` ms after its push', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualDatagramLink({ latency: 30 }, ts);
      const seen = collect(ts, b);
      ts.schedule(() => a.transport.push(dgram(1)), 10);
      ts.schedule(() => a.transport.push(dgram(2)), 15);
      ts.schedule(() => expect(b.transport.pull()).to.equal(AGAIN), 39);
      expectObservable(events(b, 'readable$')).toBe('40ms e 4ms e');
      expectObservable(events(a, 'readable$')).toBe('');
      ts.schedule(() => expect(seen).to.deep.equal([[40, 1], [45, 2]]), 100);
    });
  });

  it('with latency 0 delivers in the same frame, but never inside push()', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualDatagramLink({}, ts);
      ts.schedule(() => {
        expect(a.transport.push(dgram(1, 5))).to.equal(5);
        expect(b.transport.pull()).to.equal(AGAIN);
      }, 5);
      expectObservable(events(b, 'readable$')).toBe('5ms e');
    });
  });

  it('pull() returns whole datagrams one at a time, never joined or split, as copies', () => {
    const ts = newScheduler();
    ts.run(() => {
      const [a, b] = virtualDatagramLink({ latency: 1 }, ts);
      const sent = Uint8Array.of(1, 2, 3);
      ts.schedule(() => {
        a.transport.push(sent);
        a.transport.push(Uint8Array.of(4));
        a.transport.push(new Uint8Array(0));
        sent[0] = 99; // the caller reuses its buffer
      }, 0);
      at(ts, 1, () => {
        expect(Array.from(b.transport.pull() as Uint8Array)).to.deep.equal([1, 2, 3]);
        expect(Array.from(b.transport.pull() as Uint8Array)).to.deep.equal([4]);
        expect(Array.from(b.transport.pull() as Uint8Array)).to.deep.equal([]);
        expect(b.transport.pull()).to.equal(AGAIN);
      });
    });
  });

  it('works in both directions independently', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualDatagramLink({ latency: 3 }, ts);
      ts.schedule(() => b.transport.push(dgram(7)), 1);
      expectObservable(events(a, 'readable$')).toBe('4ms e');
      expectObservable(events(b, 'readable$')).toBe('');
      at(ts, 4, () => expect(label(a.transport.pull())).to.equal(7));
      ts.schedule(() => expect([a.stats.sent, b.stats.sent, b.stats.delivered]).to.deep.equal([0, 1, 1]), 10);
    });
  });

  describe('script', () => {
    it('drops the listed pushes of each side (1-based), and only those', () => {
      const ts = newScheduler();
      ts.run(() => {
        const [a, b] = virtualDatagramLink({ latency: 2, script: { drop: { b: [1, 4], a: [2] } } }, ts);
        const atA = collect(ts, a);
        const atB = collect(ts, b);
        for (let i = 1; i <= 5; i++) {
          ts.schedule(() => expect(b.transport.push(dgram(i, 3))).to.equal(3), i); // a lost datagram still "went out"
          ts.schedule(() => a.transport.push(dgram(i)), i);
        }
        ts.schedule(() => {
          expect(atA.map(([, n]) => n)).to.deep.equal([2, 3, 5]);
          expect(atB.map(([, n]) => n)).to.deep.equal([1, 3, 4, 5]);
          expect(b.stats).to.deep.equal({ sent: 5, delivered: 3, duplicated: 0, dropped: { loss: 0, script: 2, mtu: 0 } });
          expect(a.stats.dropped.script).to.equal(1);
        }, 20);
      });
    });

    it('a predicate can drop by time window, and sees side, index and bytes', () => {
      const ts = newScheduler();
      ts.run(() => {
        const calls: Array<[string, number, number]> = [];
        const [a, b] = virtualDatagramLink(
          {
            latency: 1,
            script: {
              drop: (side, index, d) => {
                calls.push([side, index, d[0]!]);
                return ts.now() >= 10 && ts.now() < 20;
              },
            },
          },
          ts,
        );
        const seen = collect(ts, b);
        for (const t of [5, 10, 15, 19, 20, 25]) ts.schedule(() => a.transport.push(dgram(t)), t);
        ts.schedule(() => {
          expect(seen.map(([, n]) => n)).to.deep.equal([5, 20, 25]);
          expect(calls).to.deep.equal([['a', 1, 5], ['a', 2, 10], ['a', 3, 15], ['a', 4, 19], ['a', 5, 20], ['a', 6, 25]]);
        }, 50);
      });
    });

    it('duplicates the listed pushes: the copy arrives 1 ms after the original', () => {
      const { seen, a } = run({ latency: 5, script: { duplicate: { a: [2] } } }, 3);
      expect(seen).to.deep.equal([[5, 0], [6, 1], [7, 1], [7, 2]]);
      expect(a.stats).to.deep.equal({ sent: 3, delivered: 4, duplicated: 1, dropped: { loss: 0, script: 0, mtu: 0 } });
    });
  });

  describe('random impairments', () => {
    const lossy = { latency: 10, loss: 0.2, duplicate: 0.1, reorder: 0.2 };

    it('the same seed gives the same outcome on every run', () => {
      const one = run({ ...lossy, seed: 42 }, 500);
      const two = run({ ...lossy, seed: 42 }, 500);
      expect(two.seen).to.deep.equal(one.seen);
      expect(two.a.stats).to.deep.equal(one.a.stats);
    });

    it('different seeds give different outcomes', () => {
      const one = run({ ...lossy, seed: 1 }, 500);
      const two = run({ ...lossy, seed: 2 }, 500);
      expect(two.seen).to.not.deep.equal(one.seen);
    });

    it('a scripted drop does not shift the random luck of later datagrams', () => {
      const plain = run({ latency: 1, loss: 0.3, seed: 9 }, 200).seen.map(([, n]) => n);
      const scripted = run({ latency: 1, loss: 0.3, seed: 9, script: { drop: { a: [1] } } }, 200).seen.map(([, n]) => n);
      expect(scripted).to.deep.equal(plain.filter((n) => n !== 0));
    });

    it('loses roughly `loss` of 10,000 datagrams', () => {
      const { a } = run({ loss: 0.1, seed: 3, capacity: 100_000 }, 10_000);
      expect(a.stats.sent).to.equal(10_000);
      expect(a.stats.dropped.loss).to.be.within(900, 1100); // ±10 %: ~3.3 standard deviations
      expect(a.stats.delivered).to.equal(10_000 - a.stats.dropped.loss);
    });

    it('duplicates roughly `duplicate` of them, each copy 1 ms after its original', () => {
      const { a, seen } = run({ latency: 3, duplicate: 0.05, seed: 4 }, 2000);
      expect(a.stats.duplicated).to.be.within(70, 130);
      expect(seen).to.have.length(2000 + a.stats.duplicated);
      const arrivals = new Map<number, number[]>();
      for (const [t, n] of seen) arrivals.set(n, [...(arrivals.get(n) ?? []), t]);
      expect(arrivals.size).to.equal(2000);
      for (const [n, times] of arrivals) expect(times).to.deep.equal(times.length === 1 ? [n + 3] : [n + 3, n + 4]);
    });

    it('reorders: held-back datagrams arrive 1..reorderDelay ms late, after later ones', () => {
      const { seen } = run({ latency: 10, reorder: 0.3, reorderDelay: 5, seed: 5 }, 256);
      expect(seen).to.have.length(256);
      const lateness = seen.map(([t, n]) => t - n - 10);
      expect(Math.min(...lateness)).to.equal(0);
      expect(Math.max(...lateness)).to.be.within(1, 5);
      expect(lateness.filter((l) => l > 0).length).to.be.within(50, 110);
      const order = seen.map(([, n]) => n);
      expect(order).to.not.deep.equal([...order].sort((x, y) => x - y));
      expect([...order].sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 256 }, (_, i) => i));
    });

    it('reorder delay defaults to up to 2 × latency + 1', () => {
      const { seen } = run({ latency: 2, reorder: 1, seed: 6 }, 256);
      const lateness = seen.map(([t, n]) => t - n - 2);
      expect(Math.min(...lateness)).to.equal(1);
      expect(Math.max(...lateness)).to.equal(5);
    });
  });

  it('drops datagrams longer than the mtu, and counts them', () => {
    const ts = newScheduler();
    ts.run(() => {
      const [a, b] = virtualDatagramLink({ mtu: 100 }, ts);
      const seen = collect(ts, b);
      ts.schedule(() => {
        expect(a.transport.push(dgram(1, 100))).to.equal(100);
        expect(a.transport.push(dgram(2, 101))).to.equal(101);
      }, 0);
      ts.schedule(() => {
        expect(seen).to.deep.equal([[0, 1]]);
        expect(a.stats.dropped).to.deep.equal({ loss: 0, script: 0, mtu: 1 });
      }, 1);
    });
  });

  it('returns AGAIN at capacity, and writable$ fires (scheduled, not inside pull) once the reader frees room', () => {
    const ts = newScheduler();
    ts.run(({ expectObservable }) => {
      const [a, b] = virtualDatagramLink({ latency: 2, capacity: 3 }, ts);
      ts.schedule(() => {
        expect([1, 2, 3, 4].map((n) => a.transport.push(dgram(n)))).to.deep.equal([1, 1, 1, AGAIN]);
        expect(a.stats.sent).to.equal(3);
      }, 0);
      let inPull = false;
      a.readiness.writable$.subscribe(() => expect(inPull).to.equal(false));
      at(ts, 5, () => {
        inPull = true;
        expect(label(b.transport.pull())).to.equal(1);
        inPull = false;
      });
      expectObservable(events(a, 'writable$')).toBe('5ms e');
      at(ts, 6, () => {
        expect(a.transport.push(dgram(4))).to.equal(1);
        expect(a.transport.push(dgram(5))).to.equal(AGAIN);
      });
    });
  });

  describe('EOF', () => {
    it('the peer pulls EOF after close(), once everything sent before was read', () => {
      const ts = newScheduler();
      ts.run(({ expectObservable }) => {
        const [a, b] = virtualDatagramLink({ latency: 4 }, ts);
        ts.schedule(() => {
          a.transport.push(dgram(1));
          a.close();
          expect(() => a.transport.push(dgram(2))).to.throw(/after close/);
        }, 1);
        expectObservable(events(b, 'readable$')).toBe('5ms (ee)');
        at(ts, 5, () => {
          expect(label(b.transport.pull())).to.equal(1);
          expect(b.transport.pull()).to.equal(EOF);
          expect(b.transport.pull()).to.equal(EOF);
        });
      });
    });

    it('a reordered datagram sent before close() is not overtaken by the EOF', () => {
      const ts = newScheduler();
      ts.run(() => {
        const [a, b] = virtualDatagramLink({ latency: 1, reorder: 1, reorderDelay: 10, seed: 1 }, ts);
        const results: Array<[number, string | number]> = [];
        b.readiness.readable$.subscribe(() => results.push([ts.now(), label(b.transport.pull())]));
        ts.schedule(() => {
          a.transport.push(dgram(1));
          a.close();
        }, 0);
        ts.schedule(() => {
          expect(results.map(([, r]) => r)).to.deep.equal([1, EOF]);
          expect(results[0]![0]).to.be.greaterThan(1);
        }, 50);
      });
    });

    it('close() is a half-close: the closing side still pulls what the peer sends', () => {
      const ts = newScheduler();
      ts.run(() => {
        const [a, b] = virtualDatagramLink({ latency: 1 }, ts);
        ts.schedule(() => {
          a.close();
          b.transport.push(dgram(3));
        }, 0);
        at(ts, 1, () => {
          expect(label(a.transport.pull())).to.equal(3);
          expect(a.transport.pull()).to.equal(AGAIN);
          expect(b.transport.pull()).to.equal(EOF);
        });
      });
    });
  });

  it('refuses bad options', () => {
    for (const o of [{ latency: -1 }, { latency: Infinity }, { capacity: 0 }, { loss: 1.5 }, { duplicate: -0.1 }, { reorder: NaN }, { reorderDelay: 0 }, { mtu: -1 }]) {
      expect(() => virtualDatagramLink(o), JSON.stringify(o)).to.throw(RangeError);
    }
  });
});

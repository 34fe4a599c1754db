/**
 * The DTLS replay window against a model that remembers every accepted
 * number: fresh means never accepted and not older than top - 63.
 */
import { expect } from 'chai';
import fc from 'fast-check';
import { REPLAY_WINDOW_SIZE, ReplayWindow } from '../../lib/dtls/replay-window.js';

class Model {
  private readonly seen = new Set<number>();
  private top = -1;
  check(seq: number): boolean {
    return !this.seen.has(seq) && seq > this.top - REPLAY_WINDOW_SIZE;
  }
  accept(seq: number): void {
    this.seen.add(seq);
    this.top = Math.max(this.top, seq);
  }
}

describe('dtls/replay-window', () => {
  it('accepts each number once, in any order within the window', () => {
    const w = new ReplayWindow();
    for (const seq of [5, 3, 4, 0, 70, 7, 69]) {
      expect(w.check(seq), `fresh ${seq}`).to.equal(true);
      w.accept(seq);
      expect(w.check(seq), `replayed ${seq}`).to.equal(false);
    }
    // The window is 7..70 now: 6 is too old, 7 was seen, 8 is fresh.
    expect([w.check(6), w.check(7), w.check(8)]).to.deep.equal([false, false, true]);
  });

  it('drops what fell out of the window, at its exact edge', () => {
    const w = new ReplayWindow();
    w.accept(100);
    expect(w.check(100 - REPLAY_WINDOW_SIZE + 1)).to.equal(true);
    expect(w.check(100 - REPLAY_WINDOW_SIZE)).to.equal(false);
    // Moves of 31 and 32 (the two halves of the bitmap): the window is 100..163 after these.
    w.accept(131);
    w.accept(163);
    expect([99, 100, 101, 131, 132, 163, 164].map((n) => w.check(n))).to.deep.equal([false, false, true, false, true, false, true]);
  });

  it('a record checked but never accepted (failed authentication) does not move the window', () => {
    const w = new ReplayWindow();
    w.accept(10);
    expect(w.check(1_000_000)).to.equal(true); // a forgery would jump the window far ahead
    expect(w.check(9)).to.equal(true); // not accepted: 9 is still fresh
  });

  it('matches the model for random arrivals (48-bit numbers, bursts, replays, reordering)', () => {
    const seq = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 2 ** 48 - 1 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(seq, fc.boolean()), { maxLength: 400 }), (arrivals) => {
        const w = new ReplayWindow();
        const m = new Model();
        for (const [s, authentic] of arrivals) {
          expect(w.check(s), `check ${s}`).to.equal(m.check(s));
          if (authentic && m.check(s)) {
            w.accept(s);
            m.accept(s);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

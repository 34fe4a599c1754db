/** The DTLS retransmission schedule as numbers: 1 s, doubling, capped at 60 s, and the handshake deadline. */
import { expect } from 'chai';
import { RetransmitTimer } from '../../lib/dtls/retransmit-timer.js';

/** Times (ms after the flight was sent) at which a never-answered flight is due again, up to `until`. */
function schedule(t: RetransmitTimer, until: number): number[] {
  const at: number[] = [];
  for (let now = 0; now <= until; now += 1) if (t.due(now)) at.push(now);
  return at;
}

describe('dtls/retransmit-timer', () => {
  it('waits 1 s, then doubles up to 60 s without ever going past it', () => {
    const t = new RetransmitTimer(0, { initialMs: 1000, maxMs: 60_000, handshakeTimeoutMs: 10 * 60_000 });
    t.flightSent(0);
    // 1, 1+2, 3+4, 7+8, 15+16, 31+32, then 60 s apart: 63, 123, 183.
    expect(schedule(t, 183_000)).to.deep.equal([1000, 3000, 7000, 15_000, 31_000, 63_000, 123_000, 183_000]);
  });

  it('a new flight starts again at the initial wait; an answered one is due never', () => {
    const t = new RetransmitTimer(0);
    t.flightSent(0);
    expect(t.due(1000)).to.equal(true);
    expect(t.timeout(1000)).to.equal(2000);
    t.flightSent(1500);
    expect(t.timeout(1500)).to.equal(1000);
    t.stop();
    expect([t.timeout(5000), t.due(5000)]).to.deep.equal([undefined, false]);
  });

  it('the handshake deadline bounds timeout() and ends the handshake', () => {
    const t = new RetransmitTimer(0, { initialMs: 1000, maxMs: 60_000, handshakeTimeoutMs: 5000 });
    t.flightSent(0);
    t.due(1000);
    t.due(3000); // next retransmission would be at 7000
    expect(t.timeout(3000)).to.equal(2000); // the deadline at 5000 comes first
    expect([t.expired(4999), t.expired(5000)]).to.deep.equal([false, true]);
  });
});

/**
 * The DTLS anti-replay window (RFC 6347 §4.1.2.6, RFC 9147 §4.5.1, after
 * RFC 4303 §3.4.3): per epoch, the highest record sequence number accepted
 * and a bitmap of the 64 below it. A record is fresh when it is newer than
 * the top, or inside the window and not seen yet; older ones are dropped.
 *
 * check() first, accept() only once the record has authenticated: a forged
 * record must not move the window (it could push real records out of it).
 */

/** Records the window remembers below its top. */
export const REPLAY_WINDOW_SIZE = 64;

export class ReplayWindow {
  /** The highest sequence number accepted, or -1 before the first. */
  private top = -1;
  /** Bit i set: `top - i` was accepted. Bits 0..31 in low, 32..63 in high. */
  private low = 0;
  private high = 0;

  /** True when a record with this sequence number (48 bits in DTLS 1.2) may be processed. */
  check(seq: number): boolean {
    if (seq > this.top) return true;
    const back = this.top - seq;
    return back < REPLAY_WINDOW_SIZE && !this.bit(back);
  }

  /** Marks `seq` seen (call after the record authenticated, and only if check() said fresh). */
  accept(seq: number): void {
    if (seq > this.top) {
      this.slide(this.top < 0 ? REPLAY_WINDOW_SIZE : seq - this.top);
      this.top = seq;
      this.low = (this.low | 1) >>> 0;
      return;
    }
    const back = this.top - seq;
    if (back >= REPLAY_WINDOW_SIZE) return;
    if (back < 32) this.low = (this.low | (1 << back)) >>> 0;
    else this.high = (this.high | (1 << (back - 32))) >>> 0;
  }

  private bit(back: number): boolean {
    return back < 32 ? ((this.low >>> back) & 1) === 1 : ((this.high >>> (back - 32)) & 1) === 1;
  }

  /** Moves the window up by `n` records: bit i becomes bit i + n. */
  private slide(n: number): void {
    if (n >= REPLAY_WINDOW_SIZE) {
      this.low = this.high = 0;
    } else if (n >= 32) {
      this.high = n === 32 ? this.low : (this.low << (n - 32)) >>> 0;
      this.low = 0;
    } else if (n > 0) {
      this.high = ((this.high << n) | (this.low >>> (32 - n))) >>> 0;
      this.low = (this.low << n) >>> 0;
    }
  }
}

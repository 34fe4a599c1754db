/**
 * When a DTLS flight is due again (RFC 6347 §4.2.4, RFC 9147 §5.8): 1 s after
 * it was sent, doubling after each retransmission up to 60 s (never past it,
 * never wrapping), and a whole-handshake deadline after which the handshake
 * fails. Pure deadline arithmetic on the injected clock: no timer lives in
 * the core; the session reports `timeout()` from here and the RxJS layer
 * schedules the wake-up (retransmitOnTimeout).
 */

export interface RetransmitPolicy {
  /** First wait, ms (RFC 6347: 1 s). */
  initialMs: number;
  /** Longest wait, ms (RFC 6347: at least 60 s). */
  maxMs: number;
  /** Whole handshake, ms from its start. */
  handshakeTimeoutMs: number;
}

export const DEFAULT_RETRANSMIT_POLICY: RetransmitPolicy = { initialMs: 1000, maxMs: 60_000, handshakeTimeoutMs: 60_000 };

export class RetransmitTimer {
  private interval: number;
  private deadline: number | undefined;

  constructor(
    private readonly startedAt: number,
    private readonly policy: RetransmitPolicy = DEFAULT_RETRANSMIT_POLICY,
  ) {
    this.interval = policy.initialMs;
  }

  /** A new flight went out at `now`: wait the initial interval for the answer. */
  flightSent(now: number): void {
    this.interval = this.policy.initialMs;
    this.deadline = now + this.interval;
  }

  /** The answer came (or the handshake ended): nothing is due. */
  stop(): void {
    this.deadline = undefined;
  }

  /** The whole handshake took too long. */
  expired(now: number): boolean {
    return now - this.startedAt >= this.policy.handshakeTimeoutMs;
  }

  /** True when the flight is due at `now`; the next wait then doubles (up to maxMs). */
  due(now: number): boolean {
    if (this.deadline === undefined || now < this.deadline) return false;
    this.interval = Math.min(this.interval * 2, this.policy.maxMs);
    this.deadline = now + this.interval;
    return true;
  }

  /** ms until something is due (a retransmission, or the handshake deadline), or undefined when nothing waits. */
  timeout(now: number): number | undefined {
    if (this.deadline === undefined) return undefined;
    const next = Math.min(this.deadline, this.startedAt + this.policy.handshakeTimeoutMs);
    return Math.max(0, next - now);
  }
}

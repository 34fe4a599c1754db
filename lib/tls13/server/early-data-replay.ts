/**
 * Server: refusing replayed 0-RTT data (RFC 8446 §8.1, single-use tickets).
 * Each ticket takes early data once: its first 0-RTT use is remembered
 * until the ticket expires, so a second use (a replayed ClientHello, whose
 * binder is the same, or a client offering the ticket again) is refused
 * early data; that connection still resumes, with 1-RTT data only.
 *
 * Bounded: at `capacity` remembered tickets early data is refused until
 * entries expire, never accepted unchecked. One guard per resolved server
 * config (a listener): a fleet must share one store, or send a ticket back
 * to the server that issued it, for this to hold across machines.
 */
import { toHex } from '../../wire/codec.js';

export class EarlyDataReplayGuard {
  /** Ticket digest (hex) → when it expires (ms of the server's date()). */
  private readonly used = new Map<string, number>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.used.size;
  }

  /** True the first time `ticket` (its digest) is claimed; false for a second use, or when full. */
  claim(ticket: Uint8Array, now: number, expiresAt: number): boolean {
    this.forgetExpired(now);
    const key = toHex(ticket);
    if (this.used.has(key) || this.used.size >= this.capacity) return false;
    this.used.set(key, expiresAt);
    return true;
  }

  /** A few entries from the oldest on each claim, and a full sweep when full, keep the store's cost flat. */
  private forgetExpired(now: number): void {
    let budget = this.used.size >= this.capacity ? Infinity : 4;
    for (const [key, expiry] of this.used) {
      if (budget-- <= 0) return;
      if (expiry <= now) this.used.delete(key);
    }
  }
}

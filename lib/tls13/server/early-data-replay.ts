/**
 * Server: refusing replayed 0-RTT data (RFC 8446 §8.1, single-use tickets).
 * A ClientHello's PSK binder is unique to it, so the binder of every hello
 * whose early data we accepted is remembered for the freshness window; a
 * hello arriving again inside the window finds it and is refused early data,
 * one arriving later fails the ticket-age check (resumption.ts) anyway.
 *
 * Bounded: at `capacity` remembered binders early data is refused until
 * entries age out, never accepted unchecked. One guard per resolved server
 * config (a listener); a fleet must share the store, or route a ticket back
 * to the server that issued it, for this to hold across machines.
 */
import { toHex } from '../../wire/codec.js';

export class EarlyDataReplayGuard {
  /** Binder (hex) → when it may be forgotten (ms of the config's clock). Insertion order is expiry order: the window is fixed. */
  private readonly seen = new Map<string, number>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.seen.size;
  }

  /** True the first time `binder` is claimed within `windowMs` of `now`; false for a replay or when full. */
  claim(binder: Uint8Array, now: number, windowMs: number): boolean {
    this.forgetExpired(now);
    const key = toHex(binder);
    if (this.seen.has(key) || this.seen.size >= this.capacity) return false;
    this.seen.set(key, now + windowMs);
    return true;
  }

  private forgetExpired(now: number): void {
    for (const [key, expiry] of this.seen) {
      if (expiry > now) return;
      this.seen.delete(key);
    }
  }
}

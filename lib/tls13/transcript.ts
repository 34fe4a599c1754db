/**
 * The handshake transcript hash (RFC 8446 §4.4.1). Messages are buffered
 * until the cipher suite (and so the hash) is known, then hashed
 * incrementally; after a HelloRetryRequest the first ClientHello is replaced
 * by a synthetic message_hash message.
 */
import type { HashFunctions, HashState } from '../crypto/provider.js';
import { HandshakeType } from '../wire/enums.js';

export class Transcript {
  private early: Uint8Array[] = [];
  private state?: HashState;
  private fns?: HashFunctions;

  add(raw: Uint8Array): void {
    if (this.state) this.state.update(raw);
    else this.early.push(raw);
  }

  /** Fixes the hash once the suite is chosen; buffered messages are hashed now. */
  selectHash(fns: HashFunctions): void {
    if (this.fns) return;
    this.fns = fns;
    this.state = fns.create();
    for (const m of this.early) this.state.update(m);
    this.early = [];
  }

  get hashFunctions(): HashFunctions {
    if (!this.fns) throw new Error('transcript hash not selected');
    return this.fns;
  }

  /** Hash of everything added so far. */
  current(): Uint8Array {
    if (!this.state) throw new Error('transcript hash not selected');
    return this.state.digest();
  }

  /** Hash of everything so far followed by `extra`, which is not added (PSK binders over a truncated ClientHello). */
  hashWith(extra: Uint8Array): Uint8Array {
    if (!this.state) throw new Error('transcript hash not selected');
    const s = this.state.clone();
    s.update(extra);
    return s.digest();
  }

  /**
   * Forgets every message: DTLS hashes neither the first ClientHello nor the
   * HelloVerifyRequest (RFC 6347 §4.2.6). Only before the hash is chosen.
   */
  restart(): void {
    if (this.state) throw new Error('transcript restarted after its hash was chosen');
    this.early = [];
  }

  /** Replaces ClientHello1 by message_hash(Hash(ClientHello1)) (RFC 8446 §4.4.1). */
  rollUpForRetry(): void {
    const h = this.current();
    const synthetic = new Uint8Array(4 + h.length);
    synthetic[0] = HandshakeType.message_hash;
    synthetic[3] = h.length;
    synthetic.set(h, 4);
    this.state = this.hashFunctions.create();
    this.state.update(synthetic);
  }
}

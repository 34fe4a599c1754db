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

  /** Set by retainMessages(): every message, for a TLS 1.2 CertificateVerify. */
  private kept?: Uint8Array[];

  add(raw: Uint8Array): void {
    this.kept?.push(raw);
    if (this.state) this.state.update(raw);
    else this.early.push(raw);
  }

  /**
   * Keeps the messages themselves from now on (those buffered before the hash
   * was chosen too): a TLS 1.2 CertificateVerify signs handshake_messages with
   * the hash of its own scheme (RFC 5246 §7.4.8), which need not be the PRF's.
   */
  retainMessages(): void {
    if (this.kept) return;
    if (this.state) throw new Error('transcript messages retained after its hash was chosen');
    this.kept = [...this.early];
  }

  /** Every message so far, concatenated (retainMessages() must have been called first). */
  messages(): Uint8Array {
    if (!this.kept) throw new Error('transcript messages were not retained');
    const out = new Uint8Array(this.kept.reduce((n, m) => n + m.length, 0));
    let o = 0;
    for (const m of this.kept) (out.set(m, o), (o += m.length));
    return out;
  }

  /**
   * An independent copy of the hash so far: TLS 1.3 post-handshake
   * authentication hashes each request's messages after the handshake's (RFC 8446 §4.4).
   */
  fork(): Transcript {
    const copy = new Transcript();
    copy.fns = this.hashFunctions;
    copy.state = this.state!.clone();
    return copy;
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
    if (this.kept) this.kept = [];
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

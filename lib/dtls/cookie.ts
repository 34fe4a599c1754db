/**
 * The stateless HelloVerifyRequest cookie (RFC 6347 §4.2.1): an HMAC over the
 * client's transport address and its ClientHello parameters, under a secret
 * that rotates on the injected clock (the previous one still accepted, so a
 * cookie made just before a rotation works). The server checks it before it
 * keeps any state for the client; nothing per client is stored here.
 */
import type { CryptoProvider, RandomSource } from '../crypto/provider.js';
import { concatBytes } from '../wire/codec.js';

const COOKIE_LENGTH = 32;
const encoder = new TextEncoder();

export class CookieJar {
  private current: Uint8Array;
  private previous: Uint8Array | undefined;
  private rotatedAt: number;

  constructor(
    private readonly crypto: CryptoProvider,
    private readonly random: RandomSource,
    private readonly clock: () => number,
    /** How long one secret makes cookies, ms. */
    private readonly rotateMs = 60_000,
  ) {
    this.current = random(32);
    this.rotatedAt = clock();
  }

  /**
   * The cookie for a client at `address` (e.g. "127.0.0.1:5684") whose
   * ClientHello, without its cookie, has these parameter bytes (version,
   * random, session id, suites, compression, extensions).
   */
  make(address: string, helloParameters: Uint8Array): Uint8Array {
    this.rotate();
    return this.mac(this.current, address, helloParameters);
  }

  /** True when `cookie` was made by make() for this address and parameters under the current or the previous secret. */
  check(address: string, helloParameters: Uint8Array, cookie: Uint8Array): boolean {
    this.rotate();
    if (cookie.length !== COOKIE_LENGTH) return false;
    const secrets = this.previous ? [this.current, this.previous] : [this.current];
    // Both are computed and compared in full, so timing tells nothing about which one (if any) matched.
    return secrets.map((s) => sameBytes(this.mac(s, address, helloParameters), cookie)).some(Boolean);
  }

  private rotate(): void {
    const elapsed = this.clock() - this.rotatedAt;
    if (elapsed < this.rotateMs) return;
    // After a quiet spell of two periods or more, the secret before is as stale as any: it is not kept.
    this.previous = elapsed < 2 * this.rotateMs ? this.current : undefined;
    this.current = this.random(32);
    this.rotatedAt = this.clock();
  }

  private mac(secret: Uint8Array, address: string, params: Uint8Array): Uint8Array {
    const addr = encoder.encode(address);
    // The address is length-prefixed so that no (address, parameters) pair reads as another.
    return this.crypto.hash('sha256').hmac(secret, concatBytes(Uint8Array.of(addr.length), addr, params)).subarray(0, COOKIE_LENGTH);
  }
}

/** Compares every byte whatever the first difference (no early exit on a MAC). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Small bounded caches for parsing work that repeats on every connection: a
 * client sees the same server certificates and parses the same CA bundle
 * again and again, and ASN.1 decoding costs far more than the handshake's
 * own non-crypto work. Only parsing is cached; every check that depends on
 * the connection (validity at date(), hostname, signatures) still runs each
 * time on the cached result.
 *
 * Keys are the exact input, never a digest of it, as Go's crypto/tls
 * certCache does (it keys by string(der)): bytes become a one-byte-per-char
 * string, so Map's own string equality is the byte-wise comparison and two
 * different inputs can never share an entry.
 */

/** A least-recently-used map of bounded size (Map iterates in insertion order). */
export class LruCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('LRU capacity must be a positive integer');
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Re-insert to mark it most recently used.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Characters converted per String.fromCharCode call (well below engines' argument limits). */
const CHUNK = 8192;

/** The bytes as a string of char codes 0-255: an exact, injective cache key. */
export function bytesKey(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let s = '';
  for (let i = 0; i < bytes.length; i += CHUNK) {
    s += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return s;
}

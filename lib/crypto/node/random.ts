/**
 * Random bytes for the node provider, drawn from a pool refilled 4 KiB at a time.
 *
 * Each randomFillSync call costs ~5 µs of fixed overhead (a crypto job object,
 * moving the target array off-heap) whatever its size, and a handshake asks
 * for nine small pieces (randoms, key share secrets, ticket fields): ~10% of
 * an in-memory handshake pair. OpenSSL draws from its DRBG the same way; node's
 * own randomUUID pools too. Every byte is handed out once: a request gets a copy
 * and its pool bytes are zeroed at once, so no secret lingers in the pool.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
/** Larger requests are rare (none in a handshake): fill them directly. */
const MAX_POOLED = 256;

let pool = new Uint8Array(0);
let used = 0;

export function nodeRandom(length: number): Uint8Array {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`invalid random length ${length}`);
  if (length > MAX_POOLED) return randomFillSync(new Uint8Array(length));
  if (used + length > pool.length) {
    pool = randomFillSync(new Uint8Array(POOL_SIZE));
    used = 0;
  }
  const out = pool.slice(used, used + length);
  pool.fill(0, used, used + length);
  used += length;
  return out;
}

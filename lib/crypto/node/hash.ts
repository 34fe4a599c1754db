/**
 * SHA-256 / SHA-384 with HMAC and HKDF on node:crypto.
 *
 * HKDF: node's hkdfSync always runs extract-then-expand, but TLS 1.3's key
 * schedule calls the two halves separately (Derive-Secret expands a PRK that
 * came out of an earlier extract), so both are built from HMAC exactly as
 * RFC 5869 §2.2/§2.3 define them.
 *
 * The inputs here are a few dozen bytes, so the hashing is cheap and the
 * cost is in allocation: node returns digests as Buffers, each with an
 * off-heap backing store (~1.2 µs, versus ~0.2 µs for the whole SHA-256 of
 * 100 bytes), and so is any Uint8Array over 64 bytes. So digests are taken
 * as latin1 ('binary') strings (one char per byte, exact) and copied into small on-heap
 * Uint8Arrays, and HMAC (RFC 2104) is two one-shot hashes over a reused
 * scratch block rather than createHmac: ~1 µs per HMAC against ~3 µs, and a
 * handshake makes ~25 per side.
 */
import { createHash, hash as oneShotHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { HashFunctions, HashName, HashState } from '../provider.js';

const OUTPUT_LENGTHS: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };
const BLOCK_LENGTHS: Record<HashName, number> = { sha256: 64, sha384: 128, sha512: 128 };
const IPAD = 0x36;
/** HKDF-Expand's first block counter; only ever read (copied into the HMAC input). */
const COUNTER_ONE = Uint8Array.of(1);
const OPAD = 0x5c;

/** The bytes of a latin1 string (node's 'binary' = latin1 maps bytes to chars 0-255 one to one). */
function fromLatin1(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** node:crypto finalises a Hash on digest(), so "digest so far" is taken from a copy. */
class NodeHashState implements HashState {
  constructor(private readonly state: Hash) {}
  update(data: Uint8Array): void {
    this.state.update(data);
  }
  digest(): Uint8Array {
    return fromLatin1(this.state.copy().digest('binary'));
  }
  clone(): HashState {
    return new NodeHashState(this.state.copy());
  }
}

/**
 * HMAC's padded-key blocks are built here: big enough for every HKDF-Expand
 * TLS does (block + HkdfLabel <= 128 + 514 bytes). HMAC is synchronous, so one
 * buffer serves every call; it is wiped after each, as it holds key material.
 */
const SCRATCH = new Uint8Array(1024);

/** Writes (key ^ pad) zero-extended to one block at the start of `out`. */
function padKey(out: Uint8Array, key: Uint8Array, pad: number, blockLength: number): void {
  out.fill(pad, 0, blockLength);
  for (let i = 0; i < key.length; i++) out[i]! ^= key[i]!;
}

function hashFunctions(name: HashName): HashFunctions {
  const outputLength = OUTPUT_LENGTHS[name];
  const blockLength = BLOCK_LENGTHS[name];
  const digest = (data: Uint8Array): Uint8Array => fromLatin1(oneShotHash(name, data, 'binary'));

  /** HMAC(key, parts[0] || parts[1] || ...) = H((K ^ opad) || H((K ^ ipad) || message)). */
  function hmacOf(key: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
    const k = key.length > blockLength ? digest(key) : key;
    let length = 0;
    for (const p of parts) length += p.length;
    const size = blockLength + Math.max(length, outputLength);
    const buf = size <= SCRATCH.length ? SCRATCH : new Uint8Array(size);
    padKey(buf, k, IPAD, blockLength);
    let offset = blockLength;
    for (const p of parts) {
      buf.set(p, offset);
      offset += p.length;
    }
    const inner = oneShotHash(name, buf.subarray(0, offset), 'binary');
    padKey(buf, k, OPAD, blockLength);
    for (let i = 0; i < outputLength; i++) buf[blockLength + i] = inner.charCodeAt(i);
    const mac = fromLatin1(oneShotHash(name, buf.subarray(0, blockLength + outputLength), 'binary'));
    buf.fill(0, 0, size);
    return mac;
  }

  return Object.freeze({
    name,
    outputLength,
    // crypto.hash (node >= 20.12) is the one-shot form, much cheaper than createHash for small inputs.
    digest,
    create: () => new NodeHashState(createHash(name)),
    hmac: (key: Uint8Array, data: Uint8Array) => hmacOf(key, data),
    // RFC 5869: an empty salt is equivalent to HashLen zeros (HMAC zero-pads keys).
    hkdfExtract: (salt: Uint8Array, ikm: Uint8Array) => hmacOf(salt, ikm),
    hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
      if (!Number.isSafeInteger(length) || length < 0 || length > 255 * outputLength) {
        throw new RangeError(`HKDF-Expand length must be 0..${255 * outputLength}`);
      }
      // T(i) = HMAC(PRK, T(i-1) || info || i), OKM = the first `length` bytes of T(1) || T(2) || ...
      // TLS 1.3 asks for at most HashLen bytes, i.e. T(1) alone.
      if (length === outputLength) return hmacOf(prk, info, COUNTER_ONE);
      const okm = new Uint8Array(length);
      const counter = new Uint8Array(1);
      let t: Uint8Array = new Uint8Array(0);
      for (let offset = 0; offset < length; offset += outputLength) {
        counter[0]++;
        t = hmacOf(prk, t, info, counter);
        // A copy loop, not subarray(): a view of a small on-heap array forces it off-heap.
        for (let i = 0; i < outputLength && offset + i < length; i++) okm[offset + i] = t[i]!;
      }
      return okm;
    },
  });
}

const HASHES: Record<HashName, HashFunctions> = {
  sha256: hashFunctions('sha256'),
  sha384: hashFunctions('sha384'),
  sha512: hashFunctions('sha512'),
};

export function nodeHash(name: HashName): HashFunctions {
  const functions = HASHES[name];
  if (functions === undefined) throw new Error(`unsupported hash ${String(name)}`);
  return functions;
}

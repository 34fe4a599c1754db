/**
 * AEADs on @noble/ciphers, bound to one key.
 *
 * AES-GCM: noble's public `gcm(key, nonce)` re-expands the AES key and rebuilds
 * the GHASH multiplication table on every call, which dominates the cost of a
 * small TLS record. A record layer seals/opens thousands of records under one
 * key, so we assemble GCM ourselves from noble's exported building blocks
 * (`unsafe.expandKeyLE` / `unsafe.ctr32` from aes.js and the `GHASH` class from
 * _polyval.js) and keep the expanded key and the GHASH table for the lifetime
 * of the Aead. The construction is SP 800-38D for 96-bit IVs, exactly what
 * noble's gcm() does internally; the spec suite checks it against known
 * answers and against noble's own gcm().
 *
 * GHASH: noble's GHASH builds its 4-bit-window table as 512 small objects and
 * copies every input before hashing it. We let it build the table once, flatten
 * it into one Int32Array (8 KiB per key instead of ~40 KiB of objects) and run
 * the same table walk over it ourselves, reading the input where it lies
 * (aligned or not), with the length block computed from numbers.
 *
 * Per call there is one allocation: the output. Scratch blocks (counter, tag
 * mask) belong to the Aead; calls are synchronous, so sharing them is safe.
 * `sealInPlace` (used by the record layer) seals a buffer where it lies.
 *
 * ChaCha20-Poly1305 has no per-key precomputation worth caching (the Poly1305
 * key is derived per nonce), so it simply calls noble per record.
 */
import { GHASH } from '@noble/ciphers/_polyval.js';
import { unsafe } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import type { Aead, AeadName } from '../provider.js';

const NONCE_LENGTH = 12;
const TAG_LENGTH = 16;
const KEY_LENGTHS: Record<AeadName, number> = {
  'aes-128-gcm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
};

/** Our Aeads also seal in place (the record layer's optional InPlaceAead). */
export interface NobleAead extends Aead {
  /** Encrypts `data` where it lies and writes the 16-byte tag into `tag`; same result as seal(). */
  sealInPlace(nonce: Uint8Array, data: Uint8Array, aad: Uint8Array, tag: Uint8Array): void;
}

const IS_LE = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** Window size hint for noble's GHASH table: 4-bit windows (32 windows x 16 entries). */
const GHASH_EXPECTED_LENGTH = 16 * 1024;
/** Int32 words per window of the flattened table: 16 entries of 4 words. */
const WINDOW_WORDS = 64;

/** Byte-swaps a 32-bit word (length block words are big-endian numbers read as LE words). */
const bswap = (x: number) => ((x >>> 24) | ((x >>> 8) & 0xff00) | ((x & 0xff00) << 8) | (x << 24)) | 0;

/**
 * GHASH with noble's 4-bit-window table, flattened: entry `e` of window `w`
 * is words [(w * 16 + e) * 4, +4). Blocks are read as four little-endian
 * words, noble's convention (SP 800-38D's bit order is folded into the table).
 */
class Ghash {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private readonly t: Int32Array;

  constructor(h: Uint8Array) {
    const g = new GHASH(h, GHASH_EXPECTED_LENGTH) as unknown as { W: number; t: { s0: number; s1: number; s2: number; s3: number }[]; destroy(): void };
    if (g.W !== 4 || g.t.length !== 32 * 16) throw new Error('unexpected GHASH table layout');
    const t = new Int32Array(g.t.length * 4);
    g.t.forEach((e, i) => {
      t[i * 4] = e.s0;
      t[i * 4 + 1] = e.s1;
      t[i * 4 + 2] = e.s2;
      t[i * 4 + 3] = e.s3;
    });
    g.destroy(); // wipes noble's copy of the table
    this.t = t;
  }

  /** Multiplies (state xor block) by H: the table walk of noble's GHASH._updateBlock. */
  private block(x0: number, x1: number, x2: number, x3: number): void {
    const t = this.t;
    x0 ^= this.s0;
    x1 ^= this.s1;
    x2 ^= this.s2;
    x3 ^= this.s3;
    let o0 = 0;
    let o1 = 0;
    let o2 = 0;
    let o3 = 0;
    // Each word covers 8 windows (512 table words): per byte, high nibble then low nibble.
    for (let k = 0, b = 0; k < 4; k++, b += 8 * WINDOW_WORDS) {
      const x = k === 0 ? x0 : k === 1 ? x1 : k === 2 ? x2 : x3;
      let i = b + ((x >>> 2) & 60);
      o0 ^= t[i]!; o1 ^= t[i + 1]!; o2 ^= t[i + 2]!; o3 ^= t[i + 3]!; // prettier-ignore
      i = b + 64 + ((x << 2) & 60);
      o0 ^= t[i]!; o1 ^= t[i + 1]!; o2 ^= t[i + 2]!; o3 ^= t[i + 3]!; // prettier-ignore
      i = b + 128 + ((x >>> 10) & 60);
      o0 ^= t[i]!; o1 ^= t[i + 1]!; o2 ^= t[i + 2]!; o3 ^= t[i + 3]!; // prettier-ignore
      i = b + 192 + ((x >>> 6) & 60);
      o0 ^= t[i]!; o1 ^= t[i + 1]!; o2 ^= t[i + 2]!; o3 ^= t[i + 3]!; // prettier-ignore
      i = b + 256 + ((x >>> 18) & 60);
      o0 ^= t[i]!; o1 ^= t[i + 1]!; o2 ^= t[i + 2]!; o3 ^= t[i + 3]!; // prettier-ignore
      i = b + 320 + ((x >>> 14) & 60);
      o0 ^= t[i]!; o1 ^= t[i + 1]!; o2 ^= t[i + 2]!; o3 ^= t[i + 3]!; // prettier-ignore
      i = b + 384 + ((x >>> 26) & 60);
      o0 ^= t[i]!; o1 ^= t[i + 1]!; o2 ^= t[i + 2]!; o3 ^= t[i + 3]!; // prettier-ignore
      i = b + 448 + ((x >>> 22) & 60);
      o0 ^= t[i]!; o1 ^= t[i + 1]!; o2 ^= t[i + 2]!; o3 ^= t[i + 3]!; // prettier-ignore
    }
    this.s0 = o0;
    this.s1 = o1;
    this.s2 = o2;
    this.s3 = o3;
  }

  /** Absorbs `data` zero-padded to a block boundary (GCM's A and C segments). */
  private segment(d: Uint8Array): void {
    const n = d.length;
    const full = n & ~15;
    if (IS_LE && d.byteOffset % 4 === 0) {
      const w = new Int32Array(d.buffer, d.byteOffset, full >>> 2);
      for (let i = 0; i < w.length; i += 4) this.block(w[i]!, w[i + 1]!, w[i + 2]!, w[i + 3]!);
    } else {
      for (let p = 0; p < full; p += 16) {
        this.block(
          d[p]! | (d[p + 1]! << 8) | (d[p + 2]! << 16) | (d[p + 3]! << 24),
          d[p + 4]! | (d[p + 5]! << 8) | (d[p + 6]! << 16) | (d[p + 7]! << 24),
          d[p + 8]! | (d[p + 9]! << 8) | (d[p + 10]! << 16) | (d[p + 11]! << 24),
          d[p + 12]! | (d[p + 13]! << 8) | (d[p + 14]! << 16) | (d[p + 15]! << 24),
        );
      }
    }
    if (full < n) {
      let x0 = 0;
      let x1 = 0;
      let x2 = 0;
      let x3 = 0;
      for (let p = full; p < n; p++) {
        const v = d[p]! << (8 * (p & 3));
        const k = (p - full) >>> 2;
        if (k === 0) x0 |= v;
        else if (k === 1) x1 |= v;
        else if (k === 2) x2 |= v;
        else x3 |= v;
      }
      this.block(x0, x1, x2, x3);
    }
  }

  /** GHASH_H(A, C) xor `mask` (E_K(J0)), written into `out` (16 bytes). */
  tag(aad: Uint8Array, ciphertext: Uint8Array, mask: Uint8Array, out: Uint8Array): void {
    this.s0 = this.s1 = this.s2 = this.s3 = 0;
    this.segment(aad);
    this.segment(ciphertext);
    // The lengths block: 64-bit big-endian bit lengths of A and C (may exceed 2^32 bits).
    const aadBits = aad.length * 8;
    const ctBits = ciphertext.length * 8;
    this.block(bswap(Math.floor(aadBits / 2 ** 32)), bswap(aadBits >>> 0), bswap(Math.floor(ctBits / 2 ** 32)), bswap(ctBits >>> 0));
    for (let k = 0; k < 4; k++) {
      const s = k === 0 ? this.s0 : k === 1 ? this.s1 : k === 2 ? this.s2 : this.s3;
      const i = 4 * k;
      out[i] = mask[i]! ^ (s & 0xff);
      out[i + 1] = mask[i + 1]! ^ ((s >>> 8) & 0xff);
      out[i + 2] = mask[i + 2]! ^ ((s >>> 16) & 0xff);
      out[i + 3] = mask[i + 3]! ^ (s >>> 24);
    }
    this.s0 = this.s1 = this.s2 = this.s3 = 0;
  }
}

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_LENGTH) throw new RangeError(`AEAD nonce must be ${NONCE_LENGTH} bytes`);
}

const isAligned = (data: Uint8Array) => data.byteOffset % 4 === 0;

/** Constant-time comparison of two tags of equal length. */
function tagsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < TAG_LENGTH; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function aesGcm(key: Uint8Array): NobleAead {
  const xk = unsafe.expandKeyLE(key);
  const zeros = new Uint8Array(16);
  // H = E_K(0^128); ctr32 encrypts the counter block and XORs it into src (zeros).
  const h = unsafe.ctr32(xk, false, new Uint8Array(16), zeros);
  const ghash = new Ghash(h);
  h.fill(0);
  // Scratch blocks, reused by every call.
  const counter = new Uint8Array(16);
  const mask = new Uint8Array(16);
  const expected = new Uint8Array(16);
  const keystream = new Uint8Array(16);

  /** Sets `mask` = E_K(J0) and leaves `counter` at inc32(J0), ready for the payload. */
  function start(nonce: Uint8Array): void {
    counter.set(nonce);
    counter[12] = counter[13] = counter[14] = 0;
    counter[15] = 1; // J0 = IV || 0^31 || 1 for 96-bit IVs
    unsafe.ctr32(xk, false, counter, zeros, mask);
  }

  /**
   * CTR from `counter` over `src` into `dst` (same length, `dst` aligned; they
   * may be the same bytes). ctr32 takes the full blocks; a final partial block
   * is XORed here with one more keystream block, which avoids ctr32's slower
   * leftover path (a per-call Uint32Array from an array literal).
   */
  function ctr(src: Uint8Array, dst: Uint8Array): void {
    if (src !== dst && !isAligned(src)) {
      dst.set(src);
      src = dst;
    }
    const n = src.length;
    const full = n & ~15;
    if (full === n) {
      unsafe.ctr32(xk, false, counter, src, dst);
      return;
    }
    if (full > 0) unsafe.ctr32(xk, false, counter, src.subarray(0, full), dst.subarray(0, full));
    unsafe.ctr32(xk, false, counter, zeros, keystream);
    for (let i = full; i < n; i++) dst[i] = src[i]! ^ keystream[i - full]!;
    keystream.fill(0);
  }

  return {
    keyLength: key.length,
    nonceLength: NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    seal(nonce, plaintext, aad) {
      checkNonce(nonce);
      start(nonce);
      const out = new Uint8Array(plaintext.length + TAG_LENGTH);
      const ciphertext = out.subarray(0, plaintext.length);
      ctr(plaintext, ciphertext);
      ghash.tag(aad, ciphertext, mask, out.subarray(plaintext.length));
      return out;
    },
    sealInPlace(nonce, data, aad, tag) {
      checkNonce(nonce);
      if (tag.length !== TAG_LENGTH) throw new RangeError(`AEAD tag must be ${TAG_LENGTH} bytes`);
      start(nonce);
      if (isAligned(data)) {
        ctr(data, data);
      } else {
        const tmp = new Uint8Array(data.length);
        ctr(data, tmp);
        data.set(tmp);
      }
      ghash.tag(aad, data, mask, tag);
    },
    open(nonce, ciphertextAndTag, aad) {
      if (nonce.length !== NONCE_LENGTH || ciphertextAndTag.length < TAG_LENGTH) return undefined;
      const split = ciphertextAndTag.length - TAG_LENGTH;
      const ciphertext = ciphertextAndTag.subarray(0, split);
      start(nonce);
      ghash.tag(aad, ciphertext, mask, expected);
      // Authenticate before decrypting so no unauthenticated plaintext is produced.
      if (!tagsEqual(expected, ciphertextAndTag.subarray(split))) return undefined;
      const out = new Uint8Array(split);
      ctr(ciphertext, out);
      return out;
    },
  };
}

function chacha(key: Uint8Array): NobleAead {
  const k = key.slice(); // the caller may reuse its buffer
  return {
    keyLength: 32,
    nonceLength: NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    seal(nonce, plaintext, aad) {
      checkNonce(nonce);
      return chacha20poly1305(k, nonce, aad).encrypt(plaintext);
    },
    sealInPlace(nonce, data, aad, tag) {
      checkNonce(nonce);
      if (tag.length !== TAG_LENGTH) throw new RangeError(`AEAD tag must be ${TAG_LENGTH} bytes`);
      if (tag.buffer === data.buffer && tag.byteOffset === data.byteOffset + data.length) {
        // Tag right after the data (the record layer's layout): noble encrypts into the joint view.
        const joint = new Uint8Array(data.buffer, data.byteOffset, data.length + TAG_LENGTH);
        chacha20poly1305(k, nonce, aad).encrypt(data, joint);
      } else {
        const sealed = chacha20poly1305(k, nonce, aad).encrypt(data);
        data.set(sealed.subarray(0, data.length));
        tag.set(sealed.subarray(data.length));
      }
    },
    open(nonce, ciphertextAndTag, aad) {
      if (nonce.length !== NONCE_LENGTH || ciphertextAndTag.length < TAG_LENGTH) return undefined;
      try {
        return chacha20poly1305(k, nonce, aad).decrypt(ciphertextAndTag);
      } catch {
        return undefined; // noble throws on a bad tag; the interface reports it as undefined
      }
    },
  };
}

export function nobleAead(name: AeadName, key: Uint8Array): NobleAead {
  const keyLength = KEY_LENGTHS[name];
  if (keyLength === undefined) throw new Error(`unsupported AEAD ${String(name)}`);
  if (key.length !== keyLength) throw new RangeError(`${name} key must be ${keyLength} bytes`);
  return name === 'chacha20-poly1305' ? chacha(key) : aesGcm(key);
}

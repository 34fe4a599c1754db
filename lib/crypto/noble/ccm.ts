/**
 * AES-CCM (RFC 3610, NIST SP 800-38C) on @noble/ciphers' AES block primitive,
 * for the TLS and DTLS 1.2 CCM suites (TLS_PSK_WITH_AES_128_CCM_8,
 * TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8: 12-byte nonce, L = 3, 8-byte tag; RFC
 * 6655's AES_128_CCM: 16-byte tag).
 *
 * noble has no public CCM, so we assemble it from the exported low-level
 * helpers in aes.js: `unsafe.expandKeyLE` (the key schedule, computed once per
 * key), `unsafe.encryptBlock` (one block, in place, for the CBC-MAC) and
 * `unsafe.ctr32` (CTR keystream, incrementing the last 32 bits of the counter
 * block big-endian). CCM's counter is the last L bytes of the block; ctr32
 * increments the last 4, which is the same thing here because the length limit
 * 2^(8L) - 1 bytes keeps the block count below 2^(8L) (and below 2^32 for
 * L >= 4), so the counter never carries out of its L-byte field.
 *
 * The nonce length is taken from the nonce itself (7..13 bytes, L = 15 - n):
 * TLS/DTLS use 12-byte nonces, and RFC 3610's test vectors use 13-byte ones.
 *
 * The noble provider's 'aes-128-ccm' and 'aes-128-ccm-8' AEADs (aead.ts) wrap it.
 */
import { unsafe } from '@noble/ciphers/aes.js';

export interface AesCcm {
  readonly tagLength: 8 | 16;
  /** Returns ciphertext || tag. Throws RangeError on a bad nonce or oversized input. */
  seal(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Returns the plaintext, or undefined when authentication fails or the input is malformed. Never throws. */
  open(nonce: Uint8Array, ciphertextAndTag: Uint8Array, aad: Uint8Array): Uint8Array | undefined;
}

const BLOCK = 16;

/** A copy at byteOffset 0 when `data` is not 4-byte aligned (ctr32 and encryptBlock view bytes as words). */
function aligned(data: Uint8Array): Uint8Array {
  return data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
}

function isBytes(a: unknown): a is Uint8Array {
  return a instanceof Uint8Array;
}

/** Writes `value` big-endian into `out[offset .. offset + length)`; value < 2^53. */
function writeBE(out: Uint8Array, offset: number, length: number, value: number): void {
  for (let i = offset + length - 1; i >= offset; i--) {
    out[i] = value % 256;
    value = Math.floor(value / 256);
  }
}

/** Encoding of the AAD length that prefixes the AAD in the CBC-MAC input (RFC 3610 §2.2). */
function aadLengthPrefix(length: number): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  if (length < 0xff00) {
    const out = new Uint8Array(2);
    writeBE(out, 0, 2, length);
    return out;
  }
  if (length <= 0xffffffff) {
    const out = new Uint8Array(6);
    out[0] = 0xff;
    out[1] = 0xfe;
    writeBE(out, 2, 4, length);
    return out;
  }
  const out = new Uint8Array(10);
  out[0] = 0xff;
  out[1] = 0xff;
  writeBE(out, 2, 8, length);
  return out;
}

export function aesCcm(key: Uint8Array, tagLength: 8 | 16): AesCcm {
  if (!isBytes(key) || (key.length !== 16 && key.length !== 24 && key.length !== 32)) {
    throw new RangeError('AES-CCM key must be 16, 24 or 32 bytes');
  }
  if (tagLength !== 8 && tagLength !== 16) throw new RangeError('AES-CCM tag length must be 8 or 16');
  const xk = unsafe.expandKeyLE(key);

  /** Largest message for a nonce of this length: 2^(8L) - 1 bytes, capped at what a JS buffer can hold. */
  const maxLength = (nonceLength: number) => Math.min(2 ** (8 * (15 - nonceLength)) - 1, Number.MAX_SAFE_INTEGER);

  /** The counter block A_i with i = 0 (RFC 3610 §2.3). */
  function counterBlock(nonce: Uint8Array): Uint8Array {
    const a = new Uint8Array(BLOCK);
    a[0] = 15 - nonce.length - 1; // L - 1
    a.set(nonce, 1);
    return a;
  }

  /** The CBC-MAC T over B_0 || encoded AAD || plaintext, each part zero-padded to blocks. */
  function cbcMac(nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    const L = 15 - nonce.length;
    const x = new Uint8Array(BLOCK); // the chaining value, aligned (offset 0)
    x[0] = (aad.length > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (L - 1);
    x.set(nonce, 1);
    writeBE(x, 1 + nonce.length, L, plaintext.length);
    unsafe.encryptBlock(xk, x);

    // Absorbs `data` into the chain starting at block position `pos`; returns the new position.
    const absorb = (data: Uint8Array, pos: number): number => {
      for (let i = 0; i < data.length; i++) {
        x[pos++] ^= data[i];
        if (pos === BLOCK) {
          unsafe.encryptBlock(xk, x);
          pos = 0;
        }
      }
      return pos;
    };
    if (aad.length > 0) {
      let pos = absorb(aadLengthPrefix(aad.length), 0);
      pos = absorb(aad, pos);
      if (pos !== 0) unsafe.encryptBlock(xk, x); // zero padding: XOR with zeros is a no-op
    }
    if (plaintext.length > 0) {
      const pos = absorb(plaintext, 0);
      if (pos !== 0) unsafe.encryptBlock(xk, x);
    }
    return x;
  }

  /** E(K, A_0), the block that masks the tag. */
  function tagMask(nonce: Uint8Array): Uint8Array {
    return unsafe.encryptBlock(xk, counterBlock(nonce));
  }

  /** XORs `data` with the keystream E(K, A_1) || E(K, A_2) || ... into a fresh buffer. */
  function ctr(nonce: Uint8Array, data: Uint8Array): Uint8Array {
    const a = counterBlock(nonce);
    a[BLOCK - 1] = 1;
    if (data.length === 0) return new Uint8Array(0);
    return unsafe.ctr32(xk, false, a, aligned(data));
  }

  function nonceOk(nonce: unknown): nonce is Uint8Array {
    return isBytes(nonce) && nonce.length >= 7 && nonce.length <= 13;
  }

  return {
    tagLength,

    seal(nonce, plaintext, aad) {
      if (!nonceOk(nonce)) throw new RangeError('AES-CCM nonce must be 7 to 13 bytes');
      if (!isBytes(plaintext) || !isBytes(aad)) throw new TypeError('AES-CCM plaintext and aad must be Uint8Arrays');
      if (plaintext.length > maxLength(nonce.length)) {
        throw new RangeError(`AES-CCM plaintext too long for a ${nonce.length}-byte nonce`);
      }
      const t = cbcMac(nonce, plaintext, aad);
      const s0 = tagMask(nonce);
      const out = new Uint8Array(plaintext.length + tagLength);
      out.set(ctr(nonce, plaintext));
      for (let i = 0; i < tagLength; i++) out[plaintext.length + i] = t[i] ^ s0[i];
      return out;
    },

    open(nonce, ciphertextAndTag, aad) {
      try {
        if (!nonceOk(nonce) || !isBytes(ciphertextAndTag) || !isBytes(aad)) return undefined;
        if (ciphertextAndTag.length < tagLength) return undefined;
        const length = ciphertextAndTag.length - tagLength;
        if (length > maxLength(nonce.length)) return undefined;
        const plaintext = ctr(nonce, ciphertextAndTag.subarray(0, length));
        const t = cbcMac(nonce, plaintext, aad);
        const s0 = tagMask(nonce);
        // Constant-time comparison of the expected tag with the received one.
        let diff = 0;
        for (let i = 0; i < tagLength; i++) diff |= (t[i] ^ s0[i]) ^ ciphertextAndTag[length + i];
        if (diff !== 0) {
          plaintext.fill(0);
          return undefined;
        }
        return plaintext;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * AEADs on @noble/ciphers, bound to one key.
 *
 * AES-GCM: noble's public `gcm(key, nonce)` re-expands the AES key and rebuilds
 * the GHASH multiplication table on every call, which dominates the cost of a
 * small TLS record. A record layer seals/opens thousands of records under one
 * key, so we assemble GCM ourselves from noble's exported building blocks
 * (`unsafe.expandKeyLE` / `unsafe.ctr32` from aes.js and the `GHASH` class from
 * _polyval.js) and keep the expanded key, the hash subkey H and the GHASH table
 * for the lifetime of the Aead. The construction is SP 800-38D for 96-bit IVs,
 * exactly what noble's gcm() does internally; the spec suite checks it against
 * known answers and against noble's own gcm().
 *
 * ChaCha20-Poly1305 has no per-key precomputation worth caching (the Poly1305
 * key is derived per nonce), so it simply calls noble per record.
 *
 * AES-CCM (TLS 1.2's CCM and CCM_8 suites) is ccm.ts on noble's AES block,
 * its key schedule expanded once per key; it has no in-place sealRecord (the
 * record layer then builds the record from seal()).
 */
import { GHASH } from '@noble/ciphers/_polyval.js';
import { unsafe } from '@noble/ciphers/aes.js';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { AEAD_KEY_LENGTHS, AEAD_NONCE_LENGTH as NONCE_LENGTH, AEAD_TAG_LENGTH as TAG_LENGTH, AEAD_TAG_LENGTHS } from '../algorithms.js';
import type { Aead, AeadName } from '../provider.js';
import { aesCcm } from './ccm.js';

/**
 * GHASH whose accumulator can be reset, so the key-derived table built in the
 * constructor serves every record. noble's digest() wipes the table, so we only
 * ever use digestInto(), which leaves it intact.
 */
class ReusableGhash extends GHASH {
  reset(): this {
    this.s0 = this.s1 = this.s2 = this.s3 = 0;
    this.finished = false;
    return this;
  }
}

/** Window size hint for noble's GHASH table: 4-bit windows (512 entries) suit
 * TLS record sizes without the 4096-entry table of 8-bit windows per key. */
const GHASH_EXPECTED_LENGTH = 16 * 1024;

function checkNonce(nonce: Uint8Array): void {
  if (nonce.length !== NONCE_LENGTH) throw new RangeError(`AEAD nonce must be ${NONCE_LENGTH} bytes`);
}

/**
 * Copies `data` when its offset is not 4-byte aligned: ctr32 views it as
 * Uint32Array. `new Uint8Array(data)` copies even for a Node Buffer, whose
 * slice() would return another unaligned view.
 */
function aligned(data: Uint8Array): Uint8Array {
  return data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
}

/**
 * One buffer laid out as a protected record, `header || body || trailer ||
 * tag space`, with the inner plaintext 4-byte aligned (ctr32 views it as
 * words): the AEADs below encrypt it in place, so sealing a record costs one
 * allocation and one copy of the payload.
 */
function recordLayout(header: Uint8Array, body: Uint8Array, trailer: Uint8Array): { record: Uint8Array; inner: Uint8Array } {
  const slack = (4 - (header.length % 4)) % 4;
  const innerLength = body.length + trailer.length;
  const buffer = new ArrayBuffer(slack + header.length + innerLength + TAG_LENGTH);
  const record = new Uint8Array(buffer, slack);
  record.set(header);
  record.set(body, header.length);
  record.set(trailer, header.length + body.length);
  return { record, inner: record.subarray(header.length, header.length + innerLength) };
}

/** Constant-time comparison of two tags of equal length. */
function tagsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < TAG_LENGTH; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function aesGcm(key: Uint8Array): Aead {
  const xk = unsafe.expandKeyLE(key);
  // H = E_K(0^128); ctr32 encrypts the counter block and XORs it into src (zeros).
  const h = unsafe.ctr32(xk, false, new Uint8Array(16), new Uint8Array(16));
  const ghash = new ReusableGhash(h, GHASH_EXPECTED_LENGTH);
  h.fill(0);

  /** Returns E_K(J0) and leaves `counter` at inc32(J0), ready for the payload. */
  function start(nonce: Uint8Array, counter: Uint8Array): Uint8Array {
    counter.set(nonce);
    counter[15] = 1; // J0 = IV || 0^31 || 1 for 96-bit IVs
    return unsafe.ctr32(xk, false, counter, new Uint8Array(16));
  }

  /** GHASH(A, C) XOR E_K(J0), written over `tagMask`. */
  function tag(tagMask: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    const lengths = new Uint8Array(16);
    const view = new DataView(lengths.buffer);
    // 64-bit big-endian bit lengths of A and C; split because lengths may exceed 2^32 bits.
    const aadBits = aad.length * 8;
    const ctBits = ciphertext.length * 8;
    view.setUint32(0, Math.floor(aadBits / 2 ** 32));
    view.setUint32(4, aadBits >>> 0);
    view.setUint32(8, Math.floor(ctBits / 2 ** 32));
    view.setUint32(12, ctBits >>> 0);
    // GHASH.update pads each call to a block boundary, matching the A / C / lengths segments.
    const s = new Uint8Array(16);
    ghash.reset().update(aad).update(ciphertext).update(lengths).digestInto(s);
    for (let i = 0; i < 16; i++) tagMask[i] ^= s[i];
    return tagMask;
  }

  return {
    keyLength: key.length,
    nonceLength: NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    seal(nonce, plaintext, aad) {
      checkNonce(nonce);
      const counter = new Uint8Array(16);
      const tagMask = start(nonce, counter);
      const out = new Uint8Array(plaintext.length + TAG_LENGTH);
      const ciphertext = out.subarray(0, plaintext.length);
      unsafe.ctr32(xk, false, counter, aligned(plaintext), ciphertext);
      out.set(tag(tagMask, aad, ciphertext), plaintext.length);
      return out;
    },
    sealRecord(nonce, header, body, trailer) {
      checkNonce(nonce);
      const { record, inner } = recordLayout(header, body, trailer);
      const counter = new Uint8Array(16);
      const tagMask = start(nonce, counter);
      unsafe.ctr32(xk, false, counter, inner, inner); // in place: each word is read before it is written
      record.set(tag(tagMask, header, inner), header.length + inner.length);
      return [record];
    },
    open(nonce, ciphertextAndTag, aad) {
      if (nonce.length !== NONCE_LENGTH || ciphertextAndTag.length < TAG_LENGTH) return undefined;
      const split = ciphertextAndTag.length - TAG_LENGTH;
      const ciphertext = ciphertextAndTag.subarray(0, split);
      const counter = new Uint8Array(16);
      const expected = tag(start(nonce, counter), aad, ciphertext);
      // Authenticate before decrypting so no unauthenticated plaintext is produced.
      if (!tagsEqual(expected, ciphertextAndTag.subarray(split))) return undefined;
      return unsafe.ctr32(xk, false, counter, aligned(ciphertext));
    },
  };
}

function chacha(key: Uint8Array): Aead {
  const k = new Uint8Array(key); // a copy (even of a Buffer): the caller may reuse its buffer
  return {
    keyLength: 32,
    nonceLength: NONCE_LENGTH,
    tagLength: TAG_LENGTH,
    seal(nonce, plaintext, aad) {
      checkNonce(nonce);
      return chacha20poly1305(k, nonce, aad).encrypt(plaintext);
    },
    sealRecord(nonce, header, body, trailer) {
      checkNonce(nonce);
      const { record, inner } = recordLayout(header, body, trailer);
      // encrypt(input, output) copies input to the start of output first: here it is already there.
      chacha20poly1305(k, nonce, header).encrypt(inner, record.subarray(header.length));
      return [record];
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

/** ccm.ts takes any 7..13-byte nonce; as an Aead it takes TLS's 12 bytes only, like the others. */
function ccm(key: Uint8Array, tagLength: 8 | 16): Aead {
  const c = aesCcm(new Uint8Array(key), tagLength); // a copy: the caller may reuse its buffer
  return {
    keyLength: key.length,
    nonceLength: NONCE_LENGTH,
    tagLength,
    seal(nonce, plaintext, aad) {
      checkNonce(nonce);
      return c.seal(nonce, plaintext, aad);
    },
    open(nonce, ciphertextAndTag, aad) {
      return nonce.length === NONCE_LENGTH ? c.open(nonce, ciphertextAndTag, aad) : undefined;
    },
  };
}

export function nobleAead(name: AeadName, key: Uint8Array): Aead {
  const keyLength = AEAD_KEY_LENGTHS[name];
  if (keyLength === undefined) throw new Error(`unsupported AEAD ${String(name)}`);
  if (key.length !== keyLength) throw new RangeError(`${name} key must be ${keyLength} bytes`);
  switch (name) {
    case 'chacha20-poly1305':
      return chacha(key);
    case 'aes-128-ccm':
    case 'aes-128-ccm-8':
      return ccm(key, AEAD_TAG_LENGTHS[name]);
    default:
      return aesGcm(key);
  }
}

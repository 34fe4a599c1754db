/**
 * SHA-256 / SHA-384 with HMAC and HKDF on node:crypto.
 *
 * HKDF: node's hkdfSync always runs extract-then-expand, but TLS 1.3's key
 * schedule calls the two halves separately (Derive-Secret expands a PRK that
 * came out of an earlier extract), so both are built from HMAC exactly as
 * RFC 5869 §2.2/§2.3 define them.
 */
import { createHash, createHmac, hash as oneShotHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import type { HashFunctions, HashName, HashState } from '../provider.js';
import { own } from './bytes.js';

const OUTPUT_LENGTHS: Record<HashName, number> = { sha256: 32, sha384: 48 };

/** node:crypto finalises a Hash on digest(), so "digest so far" is taken from a copy. */
class NodeHashState implements HashState {
  constructor(private readonly state: Hash) {}
  update(data: Uint8Array): void {
    this.state.update(data);
  }
  digest(): Uint8Array {
    return own(this.state.copy().digest());
  }
  clone(): HashState {
    return new NodeHashState(this.state.copy());
  }
}

function hashFunctions(name: HashName): HashFunctions {
  const outputLength = OUTPUT_LENGTHS[name];
  const hmac = (key: Uint8Array, data: Uint8Array): Uint8Array => own(createHmac(name, key).update(data).digest());
  return Object.freeze({
    name,
    outputLength,
    // crypto.hash (node >= 20.12) is the one-shot form, about twice as fast as createHash for small inputs.
    digest: (data: Uint8Array) => own(oneShotHash(name, data, 'buffer')),
    create: () => new NodeHashState(createHash(name)),
    hmac,
    // RFC 5869: an empty salt is equivalent to HashLen zeros (HMAC zero-pads keys).
    hkdfExtract: (salt: Uint8Array, ikm: Uint8Array) => hmac(salt, ikm),
    hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
      if (!Number.isSafeInteger(length) || length < 0 || length > 255 * outputLength) {
        throw new RangeError(`HKDF-Expand length must be 0..${255 * outputLength}`);
      }
      // T(i) = HMAC(PRK, T(i-1) || info || i), OKM = the first `length` bytes of T(1) || T(2) || ...
      const okm = new Uint8Array(length);
      const counter = new Uint8Array(1);
      let previous: Uint8Array = new Uint8Array(0);
      for (let offset = 0; offset < length; offset += outputLength) {
        counter[0]++;
        const t = createHmac(name, prk).update(previous).update(info).update(counter).digest();
        okm.set(t.subarray(0, Math.min(outputLength, length - offset)), offset);
        previous = t;
      }
      return okm;
    },
  });
}

const HASHES: Record<HashName, HashFunctions> = {
  sha256: hashFunctions('sha256'),
  sha384: hashFunctions('sha384'),
};

export function nodeHash(name: HashName): HashFunctions {
  const functions = HASHES[name];
  if (functions === undefined) throw new Error(`unsupported hash ${String(name)}`);
  return functions;
}

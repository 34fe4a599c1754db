/** SHA-256 / SHA-384 (and SHA-512, for signatures) with HMAC and HKDF on @noble/hashes. */
import { expand, extract } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CHash, Hash } from '@noble/hashes/utils.js';
import type { HashFunctions, HashName, HashState } from '../provider.js';

/** Wraps a noble incremental hash. noble finalises a state on digest(), so a
 * transcript "digest so far" is taken from a clone, leaving ours usable. */
class NobleHashState<T extends Hash<T>> implements HashState {
  constructor(private readonly state: T) {}
  update(data: Uint8Array): void {
    this.state.update(data);
  }
  digest(): Uint8Array {
    return this.state.clone().digest();
  }
  clone(): HashState {
    return new NobleHashState(this.state.clone());
  }
}

function hashFunctions(name: HashName, hash: CHash): HashFunctions {
  return Object.freeze({
    name,
    outputLength: hash.outputLen,
    digest: (data: Uint8Array) => hash(data),
    create: () => new NobleHashState(hash.create()),
    hmac: (key: Uint8Array, data: Uint8Array) => hmac(hash, key, data),
    // RFC 5869: an empty salt is equivalent to HashLen zeros (HMAC zero-pads keys).
    hkdfExtract: (salt: Uint8Array, ikm: Uint8Array) => extract(hash, ikm, salt),
    hkdfExpand: (prk: Uint8Array, info: Uint8Array, length: number) => expand(hash, prk, info, length),
  });
}

const HASHES: Record<HashName, HashFunctions> = {
  sha256: hashFunctions('sha256', sha256),
  sha384: hashFunctions('sha384', sha384),
  sha512: hashFunctions('sha512', sha512),
};

export function nobleHash(name: HashName): HashFunctions {
  const functions = HASHES[name];
  if (functions === undefined) throw new Error(`unsupported hash ${String(name)}`);
  return functions;
}

/** The default CryptoProvider: pure JavaScript on the @noble libraries. */
import { randomBytes } from '@noble/hashes/utils.js';
import { TLS13_ALGORITHMS } from '../algorithms.js';
import type { CryptoProvider } from '../provider.js';
import { nobleAead } from './aead.js';
import { nobleHash } from './hash.js';
import { nobleKeyShare } from './key-share.js';
import { noblePublicKeyOf, nobleSign, nobleVerify } from './signature.js';

export const nobleCrypto: CryptoProvider = Object.freeze({
  name: 'noble',
  ...TLS13_ALGORITHMS,
  aead: nobleAead,
  hash: nobleHash,
  keyShare: nobleKeyShare,
  sign: nobleSign,
  verify: nobleVerify,
  publicKeyOf: noblePublicKeyOf,
  // crypto.getRandomValues under the hood, available in browsers and Node alike.
  random: (length: number) => randomBytes(length),
});

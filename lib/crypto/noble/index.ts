/** The default CryptoProvider: pure JavaScript on the @noble libraries. */
import { randomBytes } from '@noble/hashes/utils.js';
import { TLS13_ALGORITHMS } from '../algorithms.js';
import type { AeadName, CryptoProvider } from '../provider.js';
import { nobleAead } from './aead.js';
import { nobleHash } from './hash.js';
import { nobleAnswerKeyShare, nobleKeyShare } from './key-share.js';
import { nobleEcdsaSign, nobleEcdsaVerify, noblePublicKeyOf, nobleSign, nobleVerify } from './signature.js';

export const nobleCrypto: CryptoProvider = Object.freeze({
  name: 'noble',
  ...TLS13_ALGORITHMS,
  // noble's ChaCha20-Poly1305 runs 2.5x its AES-GCM (no AES instructions in
  // JavaScript), so we offer and pick it first when no suites are configured.
  aeads: Object.freeze(['chacha20-poly1305', 'aes-128-gcm', 'aes-256-gcm'] as AeadName[]),
  aead: nobleAead,
  hash: nobleHash,
  keyShare: nobleKeyShare,
  answerKeyShare: nobleAnswerKeyShare,
  sign: nobleSign,
  verify: nobleVerify,
  ecdsaSign: nobleEcdsaSign,
  ecdsaVerify: nobleEcdsaVerify,
  publicKeyOf: noblePublicKeyOf,
  // crypto.getRandomValues under the hood, available in browsers and Node alike.
  random: (length: number) => randomBytes(length),
});

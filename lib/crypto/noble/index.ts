/** The default CryptoProvider: pure JavaScript on the @noble libraries. */
import { randomBytes } from '@noble/hashes/utils.js';
import type { CryptoProvider } from '../provider.js';
import { nobleAead } from './aead.js';
import { nobleHash } from './hash.js';
import { nobleKeyShare } from './key-share.js';
import { noblePublicKeyOf, nobleSign, nobleVerify } from './signature.js';

export const nobleCrypto: CryptoProvider = Object.freeze({
  name: 'noble',
  aeads: Object.freeze(['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as const),
  hashes: Object.freeze(['sha256', 'sha384'] as const),
  groups: Object.freeze(['x25519', 'secp256r1', 'secp384r1'] as const),
  signatureSchemes: Object.freeze(['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ed25519'] as const),
  aead: nobleAead,
  hash: nobleHash,
  keyShare: nobleKeyShare,
  sign: nobleSign,
  verify: nobleVerify,
  publicKeyOf: noblePublicKeyOf,
  // crypto.getRandomValues under the hood, available in browsers and Node alike.
  random: (length: number) => randomBytes(length),
});

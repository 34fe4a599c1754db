/**
 * A CryptoProvider on node:crypto's synchronous APIs (OpenSSL): the same
 * algorithms and behaviour as the noble provider, for Node.js deployments that
 * want native AES-GCM / ChaCha20-Poly1305 and curve arithmetic.
 */
import { randomFillSync } from 'node:crypto';
import type { CryptoProvider } from '../provider.js';
import { nodeAead } from './aead.js';
import { nodeHash } from './hash.js';
import { nodeKeyShare } from './key-share.js';
import { nodePublicKeyOf, nodeSign, nodeVerify } from './signature.js';

export const nodeCrypto: CryptoProvider = Object.freeze({
  name: 'node',
  aeads: Object.freeze(['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as const),
  hashes: Object.freeze(['sha256', 'sha384'] as const),
  groups: Object.freeze(['x25519', 'secp256r1', 'secp384r1'] as const),
  signatureSchemes: Object.freeze(['ecdsa_secp256r1_sha256', 'ecdsa_secp384r1_sha384', 'ed25519'] as const),
  aead: nodeAead,
  hash: nodeHash,
  keyShare: nodeKeyShare,
  sign: nodeSign,
  verify: nodeVerify,
  publicKeyOf: nodePublicKeyOf,
  random: (length: number) => randomFillSync(new Uint8Array(length)),
});

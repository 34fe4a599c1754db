/**
 * A CryptoProvider on node:crypto's synchronous APIs (OpenSSL): the same
 * algorithms and behaviour as the noble provider, for Node.js deployments that
 * want native AES-GCM / ChaCha20-Poly1305 and curve arithmetic.
 */
import { TLS13_ALGORITHMS } from '../algorithms.js';
import type { CryptoProvider } from '../provider.js';
import { nodeAead } from './aead.js';
import { nodeHash } from './hash.js';
import { nodeAnswerKeyShare, nodeKeyShare } from './key-share.js';
import { nodeRandom } from './random.js';
import { nodeEcdsaSign, nodeEcdsaVerify, nodePublicKeyOf, nodeSign, nodeVerify } from './signature.js';

export const nodeCrypto: CryptoProvider = Object.freeze({
  name: 'node',
  ...TLS13_ALGORITHMS,
  aead: nodeAead,
  hash: nodeHash,
  keyShare: nodeKeyShare,
  answerKeyShare: nodeAnswerKeyShare,
  sign: nodeSign,
  verify: nodeVerify,
  ecdsaSign: nodeEcdsaSign,
  ecdsaVerify: nodeEcdsaVerify,
  publicKeyOf: nodePublicKeyOf,
  random: nodeRandom,
});

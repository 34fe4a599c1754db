/**
 * Ephemeral key shares for TLS 1.3 (and TLS 1.2 ECDHE) on node:crypto; the
 * X25519MLKEM768 hybrid takes its ML-KEM half from noble.
 *
 * The private key always comes from the injected RandomSource, derived exactly
 * as the noble provider derives it, so the same random bytes give the same key
 * share in both providers.
 *
 * X25519/X448 keys are imported as JWK, not DER: OpenSSL 3's DER decoders cost
 * ~100-350 µs per import against a few µs (public) or ~25 µs (private) for
 * JWK. A private OKP JWK needs an `x` member, but node derives the public key
 * from `d` and only checks that `x` is a string; should a future node check it
 * against `d`, we fall back to the (slow, always valid) PKCS#8 import.
 */
import { createECDH, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { TlsError } from '../../errors.js';
import { answerByAgreement } from '../answer-by-agreement.js';
import type { GroupName, KeyShare, KeyShareAnswer, RandomSource } from '../provider.js';
import { x25519MlKem768Answer, x25519MlKem768Share } from '../x25519-mlkem768.js';
import { fromBase64url, own, toBase64url } from './bytes.js';

/** RFC 7748 curves: the JWK curve name, the key length and the PKCS#8 PrivateKeyInfo prefix of a raw key (RFC 8410). */
const MONTGOMERY = {
  x25519: { crv: 'X25519', length: 32, pkcs8: Buffer.from('302e020100300506032b656e04220420', 'hex') },
  x448: { crv: 'X448', length: 56, pkcs8: Buffer.from('3046020100300506032b656f043a0438', 'hex') },
};
type Montgomery = keyof typeof MONTGOMERY;

function montgomeryPrivateKey(group: Montgomery, secret: Uint8Array): KeyObject {
  const { crv, pkcs8 } = MONTGOMERY[group];
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv, d: toBase64url(secret), x: '' }, format: 'jwk' });
  } catch {
    return createPrivateKey({ key: Buffer.concat([pkcs8, secret]), format: 'der', type: 'pkcs8' });
  }
}

function montgomeryShare(group: Montgomery, random: RandomSource): KeyShare {
  const { crv, length } = MONTGOMERY[group];
  // RFC 7748: any 32 (56) bytes are a private key; OpenSSL clamps inside the scalar multiplication.
  const secret = random(length);
  if (secret.length !== length) throw new RangeError(`${group} private key must be ${length} bytes`);
  const privateKey = montgomeryPrivateKey(group, secret);
  const allZero = () => new TlsError('illegal_parameter', `${group} key share yields an all-zero secret`);
  return {
    group,
    // The private JWK carries x too; exporting it skips creating a public KeyObject first.
    publicKey: fromBase64url(privateKey.export({ format: 'jwk' }).x),
    sharedSecret(peer) {
      if (peer.length !== length) throw new TlsError('illegal_parameter', `${group} key share must be ${length} bytes`);
      let shared: Uint8Array;
      try {
        const publicKey = createPublicKey({ key: { kty: 'OKP', crv, x: toBase64url(peer) }, format: 'jwk' });
        // OpenSSL refuses low-order points (all-zero output, RFC 8446 §7.4.2) by throwing.
        shared = own(diffieHellman({ privateKey, publicKey }));
      } catch {
        throw allZero();
      }
      // Belt and braces: do not rely on the OpenSSL version for the all-zero check.
      if (shared.every((b) => b === 0)) throw allZero();
      return shared;
    },
  };
}

/** seedLength: 1.5x the field size, as noble's randomSecretKey takes it. */
const NIST = {
  secp256r1: {
    node: 'prime256v1',
    order: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    scalarLength: 32,
    seedLength: 48,
  },
  secp384r1: {
    node: 'secp384r1',
    order: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    scalarLength: 48,
    seedLength: 72,
  },
  secp521r1: {
    node: 'secp521r1',
    order:
      0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    scalarLength: 66,
    seedLength: 99,
  },
};

/**
 * noble's randomSecretKey (mapHashToField): the big-endian seed reduced into
 * [1, n-1] as (seed mod (n-1)) + 1, so the scalar is never zero.
 */
function scalarFromSeed(seed: Uint8Array, order: bigint, length: number): Buffer {
  const value = BigInt('0x' + Buffer.from(seed.buffer, seed.byteOffset, seed.length).toString('hex'));
  const scalar = (value % (order - 1n)) + 1n;
  return Buffer.from(scalar.toString(16).padStart(2 * length, '0'), 'hex');
}

function nistShare(group: keyof typeof NIST, random: RandomSource): KeyShare {
  const { node, order, scalarLength, seedLength } = NIST[group];
  const seed = random(seedLength);
  if (seed.length !== seedLength) throw new RangeError(`${group} seed must be ${seedLength} bytes`);
  const scalar = scalarFromSeed(seed, order, scalarLength);
  const ecdh = createECDH(node);
  ecdh.setPrivateKey(scalar);
  scalar.fill(0);
  const pointLength = 1 + 2 * scalarLength;
  return {
    group,
    publicKey: own(ecdh.getPublicKey()), // uncompressed by default
    sharedSecret(peer) {
      // RFC 8446 §4.2.8.2: only the uncompressed form (0x04 || X || Y) is allowed;
      // node would also accept compressed and hybrid points, so check first.
      if (peer.length !== pointLength || peer[0] !== 0x04) {
        throw new TlsError('illegal_parameter', `${group} key share must be an uncompressed point`);
      }
      try {
        // OpenSSL rejects points not on the curve; the output is the x-coordinate.
        return own(ecdh.computeSecret(peer));
      } catch {
        throw new TlsError('illegal_parameter', `${group} key share is not a valid curve point`);
      }
    },
  };
}

const nodeX25519 = (random: RandomSource) => montgomeryShare('x25519', random);

export function nodeKeyShare(group: GroupName, random: RandomSource): KeyShare {
  switch (group) {
    case 'X25519MLKEM768':
      // Node 20's OpenSSL has no ML-KEM: noble's, beside node's X25519.
      return x25519MlKem768Share(nodeX25519, random);
    case 'x25519':
    case 'x448':
      return montgomeryShare(group, random);
    case 'secp256r1':
    case 'secp384r1':
    case 'secp521r1':
      return nistShare(group, random);
    default:
      throw new Error(`unsupported group ${String(group)}`);
  }
}

export function nodeAnswerKeyShare(group: GroupName, peerShare: Uint8Array, random: RandomSource): KeyShareAnswer {
  if (group === 'X25519MLKEM768') return x25519MlKem768Answer(nodeX25519, peerShare, random);
  return answerByAgreement(nodeKeyShare(group, random), peerShare);
}

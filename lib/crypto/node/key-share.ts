/**
 * Ephemeral (EC)DHE key shares for TLS 1.3 on node:crypto.
 *
 * The private key always comes from the injected RandomSource, derived exactly
 * as the noble provider derives it, so the same random bytes give the same key
 * share in both providers.
 *
 * X25519 keys are imported as JWK, not DER: OpenSSL 3's DER decoders cost
 * ~100-350 µs per import against a few µs (public) or ~25 µs (private) for
 * JWK. A private OKP JWK needs an `x` member, but node derives the public key
 * from `d` and only checks that `x` is a string; should a future node check it
 * against `d`, we fall back to the (slow, always valid) PKCS#8 import.
 */
import { createECDH, createPrivateKey, createPublicKey, diffieHellman } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { TlsError } from '../../errors.js';
import type { GroupName, KeyShare, RandomSource } from '../provider.js';
import { fromBase64url, own, toBase64url } from './bytes.js';

/** PKCS#8 PrivateKeyInfo prefix for a raw 32-byte X25519 key (RFC 8410). */
const X25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

function x25519PrivateKey(secret: Uint8Array): KeyObject {
  const d = toBase64url(secret);
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d, x: '' }, format: 'jwk' });
  } catch {
    return createPrivateKey({ key: Buffer.concat([X25519_PKCS8_PREFIX, secret]), format: 'der', type: 'pkcs8' });
  }
}

function x25519Share(random: RandomSource): KeyShare {
  // RFC 7748: any 32 bytes are a private key; OpenSSL clamps inside the scalar multiplication.
  const secret = random(32);
  if (secret.length !== 32) throw new RangeError('x25519 private key must be 32 bytes');
  const privateKey = x25519PrivateKey(secret);
  return {
    group: 'x25519',
    // The private JWK carries x too; exporting it skips creating a public KeyObject first.
    publicKey: fromBase64url(privateKey.export({ format: 'jwk' }).x),
    sharedSecret(peer) {
      if (peer.length !== 32) throw new TlsError('illegal_parameter', 'x25519 key share must be 32 bytes');
      let shared: Uint8Array;
      try {
        const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: toBase64url(peer) }, format: 'jwk' });
        // OpenSSL refuses low-order points (all-zero output, RFC 8446 §7.4.2) by throwing.
        shared = own(diffieHellman({ privateKey, publicKey }));
      } catch {
        throw new TlsError('illegal_parameter', 'x25519 key share yields an all-zero secret');
      }
      // Belt and braces: do not rely on the OpenSSL version for the all-zero check.
      if (shared.every((b) => b === 0)) {
        throw new TlsError('illegal_parameter', 'x25519 key share yields an all-zero secret');
      }
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

export function nodeKeyShare(group: GroupName, random: RandomSource): KeyShare {
  switch (group) {
    case 'x25519':
      return x25519Share(random);
    case 'secp256r1':
    case 'secp384r1':
      return nistShare(group, random);
    default:
      throw new Error(`unsupported group ${String(group)}`);
  }
}

/** TLS 1.3 signature schemes (RFC 8446 §4.2.3) on @noble/curves; RSA ones in rsa.ts. */
import type { ECDSA } from '@noble/curves/abstract/weierstrass.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ed448 } from '@noble/curves/ed448.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import type { CurveName, HashName, PrivateKey, PublicKey, SignatureSchemeName } from '../provider.js';
import { scalarBytes } from '../algorithms.js';
import { rsaScheme } from '../rsa.js';
import { nobleRsaPublicKey, nobleRsaSign, nobleRsaVerify } from './rsa.js';

/** In TLS 1.3 each ECDSA scheme fixes both curve and hash; noble's p256/p384/p521
 * prehash with SHA-256/SHA-384/SHA-512 respectively, which is exactly that pairing. */
const ECDSA_SCHEMES = {
  ecdsa_secp256r1_sha256: { curve: 'P-256', ecdsa: p256 as ECDSA, scalarLength: 32 },
  ecdsa_secp384r1_sha384: { curve: 'P-384', ecdsa: p384 as ECDSA, scalarLength: 48 },
  ecdsa_secp521r1_sha512: { curve: 'P-521', ecdsa: p521 as ECDSA, scalarLength: 66 },
} as const;
const CURVES: Record<CurveName, (typeof ECDSA_SCHEMES)[keyof typeof ECDSA_SCHEMES]> = {
  'P-256': ECDSA_SCHEMES.ecdsa_secp256r1_sha256,
  'P-384': ECDSA_SCHEMES.ecdsa_secp384r1_sha384,
  'P-521': ECDSA_SCHEMES.ecdsa_secp521r1_sha512,
};

export function nobleSign(scheme: SignatureSchemeName, key: PrivateKey, message: Uint8Array): Uint8Array {
  if (rsaScheme(scheme)) {
    if (key.kind !== 'rsa') throw new Error(`${scheme} needs an RSA key`);
    return nobleRsaSign(scheme, key, message);
  }
  if (scheme === 'ed25519') {
    if (key.kind !== 'ed25519') throw new Error('ed25519 scheme needs an Ed25519 key');
    return ed25519.sign(message, key.seed);
  }
  if (scheme === 'ed448') {
    if (key.kind !== 'ed448') throw new Error('ed448 scheme needs an Ed448 key');
    // PureEdDSA with an empty context, as TLS uses it (RFC 8446 §4.2.3, RFC 8032 §5.2).
    return ed448.sign(message, key.seed);
  }
  const params = ECDSA_SCHEMES[scheme as keyof typeof ECDSA_SCHEMES];
  if (params === undefined) throw new Error(`unsupported signature scheme ${String(scheme)}`);
  if (key.kind !== 'ec' || key.curve !== params.curve) throw new Error(`${scheme} needs a ${params.curve} key`);
  // Deterministic k (RFC 6979) and low-S output, DER as TLS carries it.
  return params.ecdsa.sign(message, scalarBytes(key.d, params.scalarLength), { prehash: true, format: 'der' });
}

export function nobleVerify(
  scheme: SignatureSchemeName,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (rsaScheme(scheme)) return nobleRsaVerify(scheme, key, message, signature);
    if (scheme === 'ed25519') {
      // zip215: false is strict RFC 8032 (canonical encodings, s < L), as OpenSSL does.
      return key.kind === 'ed25519' && ed25519.verify(signature, message, key.key, { zip215: false });
    }
    if (scheme === 'ed448') return key.kind === 'ed448' && ed448.verify(signature, message, key.key, { zip215: false });
    const params = ECDSA_SCHEMES[scheme as keyof typeof ECDSA_SCHEMES];
    if (params === undefined || key.kind !== 'ec' || key.curve !== params.curve) return false;
    // lowS: false because OpenSSL and others emit high-S signatures, which are valid ECDSA.
    return params.ecdsa.verify(signature, message, key.point, { prehash: true, format: 'der', lowS: false });
  } catch {
    return false; // malformed DER, bad point encoding, wrong lengths: all just "invalid"
  }
}

const DIGESTS: Record<HashName, (m: Uint8Array) => Uint8Array> = { sha256, sha384, sha512 };

/** ECDSA over `hash(message)` on the key's own curve (TLS 1.2 pairs any hash with any curve). */
export function nobleEcdsaSign(hash: HashName, key: PrivateKey, message: Uint8Array): Uint8Array {
  if (key.kind !== 'ec') throw new Error('ECDSA needs an EC key');
  const params = CURVES[key.curve];
  return params.ecdsa.sign(DIGESTS[hash](message), scalarBytes(key.d, params.scalarLength), { prehash: false, format: 'der' });
}

export function nobleEcdsaVerify(hash: HashName, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (key.kind !== 'ec') return false;
    const params = CURVES[key.curve];
    return params.ecdsa.verify(signature, DIGESTS[hash](message), key.point, { prehash: false, format: 'der', lowS: false });
  } catch {
    return false;
  }
}

export function noblePublicKeyOf(key: PrivateKey): PublicKey {
  if (key.kind === 'rsa') return nobleRsaPublicKey(key);
  if (key.kind === 'ed25519') return { kind: 'ed25519', key: ed25519.getPublicKey(key.seed) };
  if (key.kind === 'ed448') return { kind: 'ed448', key: ed448.getPublicKey(key.seed) };
  const params = CURVES[key.curve];
  if (params === undefined) throw new Error(`unsupported curve ${String(key.curve)}`);
  return { kind: 'ec', curve: key.curve, point: params.ecdsa.getPublicKey(scalarBytes(key.d, params.scalarLength), false) };
}

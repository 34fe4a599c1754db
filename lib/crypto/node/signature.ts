/**
 * TLS 1.3 signature schemes (RFC 8446 §4.2.3) on node:crypto.
 *
 * node signs and verifies with KeyObjects, whose import is the expensive part
 * (tens of µs as JWK, more as DER), so the KeyObject for each PrivateKey /
 * PublicKey object is cached in a WeakMap keyed by that object: a server's
 * long-lived key is imported once, and so are the keys of certificates a
 * client meets again (parsed certificates are shared, lib/x509/certificate.ts,
 * so the same DER yields the same PublicKey object). Only the import is
 * cached; every signature is verified. Keys are treated as immutable, as their
 * readonly types say: mutating the bytes of a key already used is not seen.
 *
 * Differences from the noble provider, all within the interface: ECDSA
 * signatures use OpenSSL's random k rather than RFC 6979's deterministic one,
 * and are not normalised to low-S (verifiers must accept both, and do).
 */
import { createECDH, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { CurveName, HashName, PrivateKey, PublicKey, SignatureSchemeName } from '../provider.js';
import { scalarBytes } from '../algorithms.js';
import { fromBase64url, own, toBase64url } from './bytes.js';
import { rsaScheme } from '../rsa.js';
import { nodeRsaPublicKey, nodeRsaSign, nodeRsaVerify } from './rsa.js';

const ECDSA_SCHEMES = {
  ecdsa_secp256r1_sha256: { curve: 'P-256', hash: 'sha256' },
  ecdsa_secp384r1_sha384: { curve: 'P-384', hash: 'sha384' },
  ecdsa_secp521r1_sha512: { curve: 'P-521', hash: 'sha512' },
} as const;
const CURVES: Record<CurveName, { ecdh: string; scalarLength: number }> = {
  'P-256': { ecdh: 'prime256v1', scalarLength: 32 },
  'P-384': { ecdh: 'secp384r1', scalarLength: 48 },
  'P-521': { ecdh: 'secp521r1', scalarLength: 66 },
};
/**
 * The EdDSA curves as node's JWK names them, their key length (RFC 8032), and
 * the PKCS#8 PrivateKeyInfo prefix for a raw private key of theirs (RFC 8410).
 */
const EDDSA = {
  ed25519: { crv: 'Ed25519', length: 32, pkcs8: Buffer.from('302e020100300506032b657004220420', 'hex') },
  ed448: { crv: 'Ed448', length: 57, pkcs8: Buffer.from('3047020100300506032b6571043b0439', 'hex') },
} as const;
type EddsaKind = keyof typeof EDDSA;

function curveOf(curve: CurveName) {
  const params = CURVES[curve];
  if (params === undefined) throw new Error(`unsupported curve ${String(curve)}`);
  return params;
}

const privateKeys = new WeakMap<object, KeyObject>();
const publicKeys = new WeakMap<object, KeyObject>();

function eddsaPrivateKey(kind: EddsaKind, seed: Uint8Array): KeyObject {
  const { crv, length, pkcs8 } = EDDSA[kind];
  if (seed.length !== length) throw new RangeError(`${crv} private key must be ${length} bytes`);
  // As for X25519 (key-share.ts): node derives the public key from d and only
  // checks that x is a string; the PKCS#8 import is the slow, certain fallback.
  try {
    return createPrivateKey({ key: { kty: 'OKP', crv, d: toBase64url(seed), x: '' }, format: 'jwk' });
  } catch {
    return createPrivateKey({ key: Buffer.concat([pkcs8, seed]), format: 'der', type: 'pkcs8' });
  }
}

function ecPrivateKey(curve: CurveName, d: Uint8Array): KeyObject {
  const { ecdh, scalarLength } = curveOf(curve);
  const scalar = scalarBytes(d, scalarLength);
  // An EC JWK needs the public point; ECDH derives it (and rejects d = 0 or d >= n).
  const derive = createECDH(ecdh);
  derive.setPrivateKey(scalar);
  const point = derive.getPublicKey();
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: curve,
      x: toBase64url(point.subarray(1, 1 + scalarLength)),
      y: toBase64url(point.subarray(1 + scalarLength)),
      d: toBase64url(scalar),
    },
    format: 'jwk',
  });
}

function privateKeyObject(key: Exclude<PrivateKey, { kind: 'rsa' }>): KeyObject {
  let object = privateKeys.get(key);
  if (object === undefined) {
    object = key.kind === 'ec' ? ecPrivateKey(key.curve, key.d) : eddsaPrivateKey(key.kind, key.seed);
    privateKeys.set(key, object);
  }
  return object;
}

function publicKeyObject(key: Exclude<PublicKey, { kind: 'rsa' }>): KeyObject {
  let object = publicKeys.get(key);
  if (object === undefined) {
    if (key.kind !== 'ec') {
      const { crv, length } = EDDSA[key.kind];
      if (key.key.length !== length) throw new RangeError(`${crv} public key must be ${length} bytes`);
      object = createPublicKey({ key: { kty: 'OKP', crv, x: toBase64url(key.key) }, format: 'jwk' });
    } else {
      const { scalarLength } = curveOf(key.curve);
      const { point } = key;
      if (point.length !== 1 + 2 * scalarLength || point[0] !== 0x04) throw new RangeError('expected an uncompressed point');
      // OpenSSL checks that (x, y) is on the curve.
      object = createPublicKey({
        key: {
          kty: 'EC',
          crv: key.curve,
          x: toBase64url(point.subarray(1, 1 + scalarLength)),
          y: toBase64url(point.subarray(1 + scalarLength)),
        },
        format: 'jwk',
      });
    }
    publicKeys.set(key, object);
  }
  return object;
}

export function nodeSign(scheme: SignatureSchemeName, key: PrivateKey, message: Uint8Array): Uint8Array {
  if (rsaScheme(scheme)) {
    if (key.kind !== 'rsa') throw new Error(`${scheme} needs an RSA key`);
    return nodeRsaSign(scheme, key, message);
  }
  if (key.kind === 'rsa') throw new Error(`${scheme} cannot sign with an RSA key`);
  if (scheme === 'ed25519' || scheme === 'ed448') {
    // PureEdDSA, no context (RFC 8446 §4.2.3): node signs Ed448 with an empty context unless given one.
    if (key.kind !== scheme) throw new Error(`${scheme} scheme needs an ${EDDSA[scheme].crv} key`);
    return own(sign(null, message, privateKeyObject(key)));
  }
  const params = ECDSA_SCHEMES[scheme as keyof typeof ECDSA_SCHEMES];
  if (params === undefined) throw new Error(`unsupported signature scheme ${String(scheme)}`);
  if (key.kind !== 'ec' || key.curve !== params.curve) throw new Error(`${scheme} needs a ${params.curve} key`);
  return own(sign(params.hash, message, { key: privateKeyObject(key), dsaEncoding: 'der' }));
}

export function nodeVerify(
  scheme: SignatureSchemeName,
  key: PublicKey,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (rsaScheme(scheme)) return nodeRsaVerify(scheme, key, message, signature);
  if (key.kind === 'rsa') return false;
  try {
    if (scheme === 'ed25519' || scheme === 'ed448') {
      // OpenSSL's EdDSA is strict RFC 8032 (canonical s < L), like noble with zip215: false.
      return key.kind === scheme && verify(null, message, publicKeyObject(key), signature);
    }
    const params = ECDSA_SCHEMES[scheme as keyof typeof ECDSA_SCHEMES];
    if (params === undefined || key.kind !== 'ec' || key.curve !== params.curve) return false;
    // OpenSSL accepts high-S signatures and insists on strict DER (no trailing bytes).
    return verify(params.hash, message, { key: publicKeyObject(key), dsaEncoding: 'der' }, signature);
  } catch {
    return false; // malformed DER, bad point encoding, wrong lengths: all just "invalid"
  }
}

/** ECDSA with `hash` on the key's own curve (TLS 1.2 pairs any hash with any curve). */
export function nodeEcdsaSign(hash: HashName, key: PrivateKey, message: Uint8Array): Uint8Array {
  if (key.kind !== 'ec') throw new Error('ECDSA needs an EC key');
  return own(sign(hash, message, { key: privateKeyObject(key), dsaEncoding: 'der' }));
}

export function nodeEcdsaVerify(hash: HashName, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return key.kind === 'ec' && verify(hash, message, { key: publicKeyObject(key), dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}

export function nodePublicKeyOf(key: PrivateKey): PublicKey {
  if (key.kind === 'rsa') return nodeRsaPublicKey(key);
  const jwk = createPublicKey(privateKeyObject(key)).export({ format: 'jwk' });
  if (key.kind !== 'ec') return { kind: key.kind, key: fromBase64url(jwk.x) };
  const x = fromBase64url(jwk.x);
  const y = fromBase64url(jwk.y);
  const point = new Uint8Array(1 + x.length + y.length);
  point[0] = 0x04;
  point.set(x, 1);
  point.set(y, 1 + x.length);
  return { kind: 'ec', curve: key.curve, point };
}

/**
 * RSA signatures on node:crypto (OpenSSL): RSASSA-PSS with a salt as long as
 * the hash (RSA_PSS_SALTLEN_DIGEST, both when signing and, strictly, when
 * verifying) and RSASSA-PKCS1-v1_5. OpenSSL's private-key operation uses CRT
 * with blinding, and checks its CRT result before returning it (rsa_ossl.c's
 * "verify" of the result against the public key), so a computation fault does
 * not leak the key; PKCS#1 v1.5 verification re-encodes the DigestInfo and
 * compares the whole encoding. Keys are imported once per key object (JWK).
 */
import { constants, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { PublicKey, RsaPrivateKey, RsaPublicKey, SignatureSchemeName } from '../provider.js';
import { bitLength, rsaKeyProblem, rsaScheme } from '../rsa.js';
import { own, toBase64url } from './bytes.js';

const privateKeys = new WeakMap<RsaPrivateKey, KeyObject>();
const publicKeys = new WeakMap<RsaPublicKey, KeyObject>();

function privateKeyObject(key: RsaPrivateKey): KeyObject {
  let object = privateKeys.get(key);
  if (!object) {
    const problem = rsaKeyProblem(key);
    if (problem) throw new Error(`RSA key: ${problem}`);
    const { n, e, d, p, q, dp, dq, qi } = key;
    const b = toBase64url;
    object = createPrivateKey({ key: { kty: 'RSA', n: b(n), e: b(e), d: b(d), p: b(p), q: b(q), dp: b(dp), dq: b(dq), qi: b(qi) }, format: 'jwk' });
    privateKeys.set(key, object);
  }
  return object;
}

function publicKeyObject(key: RsaPublicKey): KeyObject {
  let object = publicKeys.get(key);
  if (!object) {
    object = createPublicKey({ key: { kty: 'RSA', n: toBase64url(key.n), e: toBase64url(key.e) }, format: 'jwk' });
    publicKeys.set(key, object);
  }
  return object;
}

function padding(pss: boolean) {
  return pss ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : { padding: constants.RSA_PKCS1_PADDING };
}

export function nodeRsaSign(name: SignatureSchemeName, key: RsaPrivateKey, message: Uint8Array): Uint8Array {
  const scheme = rsaScheme(name);
  if (!scheme) throw new Error(`${name} is not an RSA scheme`);
  if (key.pss !== scheme.pssKey) throw new Error(`${name} needs ${scheme.pssKey ? 'an RSASSA-PSS' : 'an rsaEncryption'} key`);
  return own(sign(scheme.hash, message, { key: privateKeyObject(key), ...padding(scheme.padding === 'pss') }));
}

export function nodeRsaVerify(name: SignatureSchemeName, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  const scheme = rsaScheme(name);
  if (!scheme || key.kind !== 'rsa' || key.pss !== scheme.pssKey || rsaKeyProblem(key)) return false;
  // OpenSSL also refuses signatures that are not exactly the modulus length; say it here too, whatever its version.
  if (signature.length !== Math.ceil(bitLength(key.n) / 8)) return false;
  try {
    return verify(scheme.hash, message, { key: publicKeyObject(key), ...padding(scheme.padding === 'pss') }, signature);
  } catch {
    return false;
  }
}

export function nodeRsaPublicKey(key: RsaPrivateKey): RsaPublicKey {
  return { kind: 'rsa', pss: key.pss, n: key.n, e: key.e };
}

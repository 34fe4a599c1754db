/**
 * TLS 1.2 signatures (RFC 5246 §7.4.1.4.1, RFC 8422 §5.4): an ECDSA scheme
 * names its hash only, so "ecdsa_secp256r1_sha256" is ECDSA with SHA-256 on
 * whatever curve the certificate's key is on (a P-384 key signing with
 * SHA-256 is legal, and OpenSSL does it when it is the client's first
 * choice). TLS 1.3 binds both; its states use the provider's sign()/verify().
 */
import type { CryptoProvider, HashName, PrivateKey, PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import { rsaScheme } from '../crypto/rsa.js';
import { schemeFitsKey } from '../tls13/certificate-verify.js';

const ECDSA_HASH: Partial<Record<SignatureSchemeName, HashName>> = {
  ecdsa_secp256r1_sha256: 'sha256',
  ecdsa_secp384r1_sha384: 'sha384',
  ecdsa_secp521r1_sha512: 'sha512',
};

/**
 * Whether `key` can make or check a TLS 1.2 signature of `scheme`: any ECDSA
 * hash on any curve; RSA with PKCS#1 v1.5 too (the TLS 1.2 way, RFC 5246
 * §7.4.1.4.1), not only PSS (RFC 8446 §4.2.3 brings PSS to 1.2), and never
 * PKCS#1 v1.5 with an RSASSA-PSS key.
 */
export function tls12SchemeFits(scheme: SignatureSchemeName, key: PublicKey): boolean {
  if (ECDSA_HASH[scheme]) return key.kind === 'ec';
  const rsa = rsaScheme(scheme);
  if (rsa?.padding === 'pkcs1') return key.kind === 'rsa' && !key.pss;
  return schemeFitsKey(scheme, key);
}

/** Our first scheme the peer offered that `key` can sign with, preferring the one made for its curve. */
export function chooseTls12Scheme(ours: readonly SignatureSchemeName[], offered: readonly number[], codeOf: (s: SignatureSchemeName) => number, key: PublicKey): SignatureSchemeName | undefined {
  const usable = ours.filter((s) => offered.includes(codeOf(s)) && tls12SchemeFits(s, key));
  return usable.find((s) => schemeFitsKey(s, key)) ?? usable[0];
}

export function tls12Sign(crypto: CryptoProvider, scheme: SignatureSchemeName, key: PrivateKey, message: Uint8Array): Uint8Array {
  const hash = ECDSA_HASH[scheme];
  return hash ? crypto.ecdsaSign(hash, key, message) : crypto.sign(scheme, key, message);
}

export function tls12Verify(crypto: CryptoProvider, scheme: SignatureSchemeName, key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  const hash = ECDSA_HASH[scheme];
  return hash ? crypto.ecdsaVerify(hash, key, message, signature) : crypto.verify(scheme, key, message, signature);
}

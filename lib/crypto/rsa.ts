/**
 * What both providers agree on about RSA, whatever does the arithmetic: which
 * schemes there are, which keys are acceptable, and the exact PKCS#1 v1.5
 * encoding a signature must carry.
 */
import type { HashName, RsaPublicKey, RsaSchemeName, SignatureSchemeName } from './provider.js';

export interface RsaScheme {
  readonly padding: 'pss' | 'pkcs1';
  readonly hash: HashName;
  /** The key an rsa_pss_pss_* scheme needs is an RSASSA-PSS key; every other RSA scheme needs an rsaEncryption key. */
  readonly pssKey: boolean;
}

const scheme = (padding: 'pss' | 'pkcs1', hash: HashName, pssKey = false): RsaScheme => Object.freeze({ padding, hash, pssKey });

export const RSA_SCHEMES: Readonly<Record<RsaSchemeName, RsaScheme>> = Object.freeze({
  rsa_pss_rsae_sha256: scheme('pss', 'sha256'),
  rsa_pss_rsae_sha384: scheme('pss', 'sha384'),
  rsa_pss_rsae_sha512: scheme('pss', 'sha512'),
  rsa_pss_pss_sha256: scheme('pss', 'sha256', true),
  rsa_pss_pss_sha384: scheme('pss', 'sha384', true),
  rsa_pss_pss_sha512: scheme('pss', 'sha512', true),
  rsa_pkcs1_sha256: scheme('pkcs1', 'sha256'),
  rsa_pkcs1_sha384: scheme('pkcs1', 'sha384'),
  rsa_pkcs1_sha512: scheme('pkcs1', 'sha512'),
});

export const RSA_SCHEME_NAMES = Object.freeze(Object.keys(RSA_SCHEMES) as RsaSchemeName[]);

export function rsaScheme(name: SignatureSchemeName): RsaScheme | undefined {
  return Object.hasOwn(RSA_SCHEMES, name) ? RSA_SCHEMES[name as RsaSchemeName] : undefined;
}

/**
 * Moduli below 2048 bits are factorable by well-funded attackers (NIST
 * SP 800-131A disallows them since 2013; OpenSSL's security level 2 refuses
 * them). Above 8192 bits a hostile certificate only buys CPU time.
 */
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 8192;
/** ring's and rustls's bound: no legitimate key has a larger public exponent, and a huge one is a cheap DoS. */
const MAX_EXPONENT_BITS = 33;

/** Number of significant bits in a big-endian integer. */
export function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** Why an RSA public key cannot be used, in words ("1024-bit modulus is too small: ..."); undefined when it can. */
export function rsaKeyProblem(key: Pick<RsaPublicKey, 'n' | 'e'>): string | undefined {
  const bits = bitLength(key.n);
  if (bits < RSA_MIN_BITS) return `${bits}-bit modulus is too small: at least ${RSA_MIN_BITS} bits are required`;
  if (bits > RSA_MAX_BITS) return `${bits}-bit modulus is too large: at most ${RSA_MAX_BITS} bits are supported`;
  if ((key.n[key.n.length - 1]! & 1) === 0) return 'the modulus is even';
  const eBits = bitLength(key.e);
  if (eBits < 2 || (key.e[key.e.length - 1]! & 1) === 0) return 'the public exponent must be odd and at least 3';
  if (eBits > MAX_EXPONENT_BITS) return `a ${eBits}-bit public exponent is too large`;
  return undefined;
}

/** The DER DigestInfo prefix of each hash (RFC 8017 §9.2 note 1), NULL parameters included as the RFC requires. */
const DIGEST_INFO_PREFIX: Record<HashName, Uint8Array> = {
  sha256: hex('3031300d060960864801650304020105000420'),
  sha384: hex('3041300d060960864801650304020205000430'),
  sha512: hex('3051300d060960864801650304020305000440'),
};

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!, (b) => parseInt(b, 16));
}

/**
 * EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF..FF 00 DigestInfo. A verifier
 * builds this and compares it whole with what the signature decrypts to,
 * never parses the signature's own DigestInfo: parsing is where Bleichenbacher's
 * e=3 forgeries (2006) slip garbage past lax ASN.1 readers.
 */
export function pkcs1Encoding(hash: HashName, digest: Uint8Array, length: number): Uint8Array {
  const prefix = DIGEST_INFO_PREFIX[hash];
  const t = prefix.length + digest.length;
  if (length < t + 11) throw new Error('RSA modulus too short for PKCS#1 v1.5 with this hash');
  const em = new Uint8Array(length);
  em[1] = 0x01;
  em.fill(0xff, 2, length - t - 1);
  em.set(prefix, length - t);
  em.set(digest, length - digest.length);
  return em;
}

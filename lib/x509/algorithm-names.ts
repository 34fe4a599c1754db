/**
 * Algorithm identifiers in words, for the names a certificate's fields and
 * our error messages use: a user told "sha1WithRSAEncryption" or "DSA" knows
 * what is wrong, one told "1.2.840.113549.1.1.5" does not.
 */

export const OID_RSA_ENCRYPTION = '1.2.840.113549.1.1.1';
export const OID_RSASSA_PSS = '1.2.840.113549.1.1.10';
export const OID_MGF1 = '1.2.840.113549.1.1.8';
export const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
export const OID_ED25519 = '1.3.101.112';
export const OID_ED448 = '1.3.101.113';

/** Hash algorithm OIDs (RFC 5754, RFC 3279) by the names we use. */
export const HASH_OIDS: Record<string, string> = {
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '1.2.840.113549.2.5': 'md5',
};

/** Signature algorithms we verify and the ones we name to refuse. */
const SIGNATURE_NAMES: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.3.101.112': 'ed25519',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10040.4.3': 'dsa-with-SHA1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-SHA256',
  '1.3.101.113': 'ed448',
};

const KEY_NAMES: Record<string, string> = {
  [OID_RSA_ENCRYPTION]: 'RSA',
  [OID_RSASSA_PSS]: 'RSASSA-PSS',
  [OID_EC_PUBLIC_KEY]: 'EC',
  [OID_ED25519]: 'Ed25519',
  [OID_ED448]: 'Ed448',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.10046.2.1': 'Diffie-Hellman',
  '1.2.643.7.1.1.1.1': 'GOST R 34.10-2012 (256 bits)',
};

const CURVE_NAMES: Record<string, string> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.132.0.33': 'P-224',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
};

export const signatureAlgorithmName = (oid: string): string => SIGNATURE_NAMES[oid] ?? `an unknown signature algorithm (OID ${oid})`;
export const keyAlgorithmName = (oid: string): string => KEY_NAMES[oid] ?? `an unknown key algorithm (OID ${oid})`;
export const curveName = (oid: string): string => CURVE_NAMES[oid] ?? `an unknown curve (OID ${oid})`;
export const hashName = (oid: string): string => HASH_OIDS[oid] ?? `an unknown hash (OID ${oid})`;

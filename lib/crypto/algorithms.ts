/**
 * What both providers implement: the TLS 1.3 algorithm lists, and helpers
 * that are about key encodings rather than any one library.
 */
import type { AeadName, GroupName, HashName, SignatureSchemeName } from './provider.js';
import { RSA_SCHEME_NAMES } from './rsa.js';

export const TLS13_ALGORITHMS = Object.freeze({
  aeads: Object.freeze(['aes-128-gcm', 'aes-256-gcm', 'chacha20-poly1305'] as AeadName[]),
  hashes: Object.freeze(['sha256', 'sha384'] as HashName[]),
  // GnuTLS's list: the hybrid first, then the classical groups.
  groups: Object.freeze(['X25519MLKEM768', 'x25519', 'secp256r1', 'secp384r1', 'secp521r1', 'x448'] as GroupName[]),
  signatureSchemes: Object.freeze([
    'ecdsa_secp256r1_sha256',
    'ecdsa_secp384r1_sha384',
    'ecdsa_secp521r1_sha512',
    'ed25519',
    'ed448',
    ...RSA_SCHEME_NAMES,
  ] as SignatureSchemeName[]),
});

/** Every AEAD TLS 1.3 uses takes 12-byte nonces and makes 16-byte tags (RFC 8446 §5.3); so do TLS 1.2's, but CCM_8. */
export const AEAD_NONCE_LENGTH = 12;
export const AEAD_TAG_LENGTH = 16;
export const AEAD_KEY_LENGTHS: Readonly<Record<AeadName, number>> = Object.freeze({
  'aes-128-gcm': 16,
  'aes-256-gcm': 32,
  'chacha20-poly1305': 32,
  'aes-128-ccm': 16,
  'aes-128-ccm-8': 16,
});
/** CCM_8 suites (RFC 6655 §3, RFC 7251) truncate the tag to 8 bytes for constrained links; every other AEAD makes 16. */
export const AEAD_TAG_LENGTHS: Readonly<Record<AeadName, 8 | 16>> = Object.freeze({
  'aes-128-gcm': 16,
  'aes-256-gcm': 16,
  'chacha20-poly1305': 16,
  'aes-128-ccm': 16,
  'aes-128-ccm-8': 8,
});
/** Every AEAD both providers implement: the TLS 1.3 ones and TLS 1.2's AES-CCM. */
export const ALL_AEADS: readonly AeadName[] = Object.freeze(Object.keys(AEAD_KEY_LENGTHS) as AeadName[]);

/**
 * Normalises an EC private scalar to the curve size: some encoders drop its
 * leading zero bytes, others (INTEGER-style) add one. A longer value with
 * non-zero excess is returned as is, for the library to reject.
 */
export function scalarBytes(d: Uint8Array, length: number): Uint8Array {
  const excess = d.length - length;
  if (excess > 0 && d.subarray(0, excess).every((b) => b === 0)) return d.subarray(excess);
  if (d.length >= length) return d;
  const out = new Uint8Array(length);
  out.set(d, length - d.length);
  return out;
}

/** Groups TLS 1.2's ECDHE can use (RFC 8422): every Diffie-Hellman group, never a KEM hybrid. */
export function isEcdheGroup(group: GroupName): boolean {
  return group !== 'X25519MLKEM768';
}

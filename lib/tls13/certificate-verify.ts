/**
 * CertificateVerify (RFC 8446 §4.4.3): the signed content and the choice
 * of a signature scheme that fits a key.
 */
import type { PublicKey, SignatureSchemeName } from '../crypto/provider.js';
import { rsaScheme } from '../crypto/rsa.js';
import { utf8 } from '../wire/codec.js';

export function certificateVerifyContent(role: 'server' | 'client', transcriptHash: Uint8Array): Uint8Array {
  const label = utf8.encode(`TLS 1.3, ${role} CertificateVerify`);
  const out = new Uint8Array(64 + label.length + 1 + transcriptHash.length);
  out.fill(0x20, 0, 64);
  out.set(label, 64);
  out.set(transcriptHash, 64 + label.length + 1);
  return out;
}

/**
 * Whether a scheme can be used with a key in TLS 1.3 (RFC 8446 §4.2.3):
 * ECDSA schemes are bound to one curve; RSA signs with PSS only, rsae schemes
 * for an rsaEncryption key and pss ones for an RSASSA-PSS key; rsa_pkcs1_*
 * are for certificates alone, never a handshake signature.
 */
export function schemeFitsKey(scheme: SignatureSchemeName, key: PublicKey): boolean {
  switch (scheme) {
    case 'ecdsa_secp256r1_sha256':
      return key.kind === 'ec' && key.curve === 'P-256';
    case 'ecdsa_secp384r1_sha384':
      return key.kind === 'ec' && key.curve === 'P-384';
    case 'ecdsa_secp521r1_sha512':
      return key.kind === 'ec' && key.curve === 'P-521';
    case 'ed25519':
    case 'ed448':
      return key.kind === scheme;
    default: {
      const rsa = rsaScheme(scheme);
      return rsa !== undefined && rsa.padding === 'pss' && key.kind === 'rsa' && key.pss === rsa.pssKey;
    }
  }
}

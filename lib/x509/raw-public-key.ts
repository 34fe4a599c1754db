/**
 * Raw public keys (RFC 7250): a peer that authenticates with its bare
 * SubjectPublicKeyInfo instead of a certificate. There is no chain, no
 * validity and no name to check: the key is trusted because the user
 * configured exactly that key (out of band, as with SSH host keys). So the
 * check is an exact byte comparison, and the peer's bytes are never parsed:
 * the key we then verify signatures with is the configured one, parsed when
 * the configuration was resolved.
 */
import type { PublicKey } from '../crypto/provider.js';
import { TlsError } from '../errors.js';
import { equalBytes } from '../wire/codec.js';
import { parseSubjectPublicKeyInfo } from './certificate.js';
import { certificateFields } from './der-fields.js';
import { base64Encode, decodePem, isPem, pemText } from './pem.js';

/** A configured raw public key: its DER SubjectPublicKeyInfo, and the key it holds. */
export interface TrustedPublicKey {
  readonly spki: Uint8Array;
  readonly key: PublicKey;
}

/**
 * Keys from PEM text ("PUBLIC KEY" blocks, as `openssl pkey -pubout` writes
 * them; a "CERTIFICATE" block gives its certificate's key) or DER
 * SubjectPublicKeyInfo bytes. Throws Error: a configuration mistake.
 */
export function parseTrustedPublicKeys(input: string | Uint8Array | ReadonlyArray<string | Uint8Array>): TrustedPublicKey[] {
  const items = Array.isArray(input) ? input : [input as string | Uint8Array];
  const keys = items.flatMap((item) => spkisOf(item)).map(trustedKey);
  if (keys.length === 0) throw new Error('no raw public key given');
  return keys;
}

function spkisOf(item: string | Uint8Array): Uint8Array[] {
  if (!isPem(item)) return [(item as Uint8Array).slice()];
  const blocks = decodePem(pemText(item)).filter((b) => b.label === 'PUBLIC KEY' || b.label === 'CERTIFICATE');
  if (blocks.length === 0) throw new Error('a raw public key is PEM with a "PUBLIC KEY" block (openssl pkey -pubout), or DER SubjectPublicKeyInfo');
  return blocks.map((b) => (b.label === 'CERTIFICATE' ? spkiOfCertificate(b.der) : b.der));
}

function trustedKey(spki: Uint8Array): TrustedPublicKey {
  let fields: ReturnType<typeof parseSubjectPublicKeyInfo>;
  try {
    fields = parseSubjectPublicKeyInfo(spki);
  } catch (e) {
    throw new Error(`not a SubjectPublicKeyInfo: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!fields.publicKey) throw new Error(`raw public key is ${fields.publicKeyAlgorithm}, which is not supported (ECDSA P-256/P-384/P-521, Ed25519, Ed448, RSA or RSASSA-PSS)`);
  return { spki, key: fields.publicKey };
}

/** A certificate's DER SubjectPublicKeyInfo: what a server sends as its raw public key. */
export function spkiOfCertificate(der: Uint8Array): Uint8Array {
  return certificateFields(der).spkiDer.slice();
}

/**
 * The key of `spki` when it is exactly one of the trusted keys; otherwise
 * bad_certificate with code ERR_TLS_RAW_PUBLIC_KEY_MISMATCH, naming the key
 * received (its SHA-256 is for the log; `sha256` computes it).
 */
export function matchRawPublicKey(spki: Uint8Array, trusted: readonly TrustedPublicKey[], sha256: (data: Uint8Array) => Uint8Array): PublicKey {
  const match = trusted.find((t) => equalBytes(t.spki, spki));
  if (match) return match.key;
  throw new TlsError(
    'bad_certificate',
    `the server's raw public key (sha256/${base64Encode(sha256(spki))}) is not one of the configured keys`,
    false,
    'ERR_TLS_RAW_PUBLIC_KEY_MISMATCH',
  );
}

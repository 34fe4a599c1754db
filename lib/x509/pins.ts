/**
 * Two ways to name the exact server a client expects, beside (or instead of) a CA:
 *
 * - SPKI pins (`pins: ['sha256/BASE64', ...]`, the HPKP form of RFC 7469 and
 *   curl's --pinnedpubkey): the SHA-256 of a SubjectPublicKeyInfo. A verified
 *   path is accepted only if one of its certificates (leaf, intermediate or
 *   root) has a pinned key. Pinning a key rather than a certificate survives
 *   re-issuance.
 * - A certificate fingerprint (`fingerprint: 'sha-256 AB:CD:...'`, the form of
 *   SDP's a=fingerprint, RFC 8122, as WebRTC uses it): the hash of the leaf
 *   certificate's DER. It replaces chain validation: the peer's certificate is
 *   typically self-signed and the fingerprint came over an authenticated
 *   channel (signalling), so it alone says who the peer is.
 */
import type { CryptoProvider, HashName } from '../crypto/provider.js';
import { TlsError } from '../errors.js';
import { equalBytes } from '../wire/codec.js';
import type { Certificate } from './certificate.js';
import { certificateFields } from './der-fields.js';
import { base64Decode, base64Encode } from './pem.js';

export interface Fingerprint {
  readonly hash: HashName;
  readonly digest: Uint8Array;
}

/** RFC 8122 hash names we can compute (SHA-1 is refused: collisions are practical). */
const FINGERPRINT_HASHES: Record<string, { hash: HashName; length: number }> = {
  'sha-256': { hash: 'sha256', length: 32 },
  'sha-384': { hash: 'sha384', length: 48 },
};

/** 'sha256/BASE64' (32 bytes once decoded) to the digest. Throws Error (a configuration mistake). */
export function parsePin(pin: string): Uint8Array {
  const m = typeof pin === 'string' ? /^sha256\/([A-Za-z0-9+/]{43}=)$/.exec(pin.trim()) : null;
  if (!m) throw new Error(`a pin is "sha256/" and the base64 SHA-256 of a SubjectPublicKeyInfo (44 characters), not ${JSON.stringify(pin)}`);
  return base64Decode(m[1]!);
}

/** 'sha-256 AB:CD:...' (colons optional, any case) to a Fingerprint. Throws Error (a configuration mistake). */
export function parseFingerprint(text: string): Fingerprint {
  const m = typeof text === 'string' ? /^\s*([a-z0-9-]+)\s+([0-9a-f:]+)\s*$/i.exec(text) : null;
  const usage = `a fingerprint is "sha-256 AB:CD:..." (RFC 8122), not ${JSON.stringify(text)}`;
  if (!m) throw new Error(usage);
  const name = m[1]!.toLowerCase();
  const spec = FINGERPRINT_HASHES[name];
  if (!spec) throw new Error(`fingerprint hash ${JSON.stringify(name)} is not supported (use sha-256 or sha-384)`);
  const hex = m[2]!.includes(':') ? colonHex(m[2]!) : m[2]!;
  if (hex === undefined || hex.length !== spec.length * 2) throw new Error(`${usage}: a ${name} fingerprint is ${spec.length} bytes`);
  const digest = new Uint8Array(spec.length);
  for (let i = 0; i < spec.length; i++) digest[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return { hash: spec.hash, digest };
}

/** "AB:CD:EF" to "ABCDEF" when every group is two digits, else undefined. */
function colonHex(text: string): string | undefined {
  const groups = text.split(':');
  return groups.every((g) => g.length === 2) ? groups.join('') : undefined;
}

/** The SHA-256 of a certificate's SubjectPublicKeyInfo, as a pin compares it. */
export function spkiSha256(cert: Pick<Certificate, 'der'>, crypto: CryptoProvider): Uint8Array {
  return crypto.hash('sha256').digest(certificateFields(cert.der).spkiDer);
}

/** The pin string of a certificate's key ('sha256/BASE64'). */
export function pinOf(cert: Pick<Certificate, 'der'>, crypto: CryptoProvider): string {
  return `sha256/${base64Encode(spkiSha256(cert, crypto))}`;
}

/** True when a certificate of `path` has one of the pinned keys. */
export function pathMatchesPins(path: readonly Certificate[], pins: readonly Uint8Array[], crypto: CryptoProvider): boolean {
  return path.some((cert) => {
    const digest = spkiSha256(cert, crypto);
    return pins.some((pin) => equalBytes(pin, digest));
  });
}

/** The failure when no certificate of a verified path has a pinned key. */
export function pinMismatch(path: readonly Certificate[], crypto: CryptoProvider): TlsError {
  return new TlsError(
    'bad_certificate',
    `no certificate in the verified chain has a pinned public key; the chain's keys are ${path.map((c) => pinOf(c, crypto)).join(', ')}`,
    false,
    'ERR_TLS_CERT_PIN_MISMATCH',
  );
}

/** Throws unless the leaf's DER hashes to one of `fingerprints`. */
export function checkFingerprint(leafDer: Uint8Array, fingerprints: readonly Fingerprint[], crypto: CryptoProvider): void {
  if (fingerprints.some((f) => equalBytes(crypto.hash(f.hash).digest(leafDer), f.digest))) return;
  const got = formatFingerprint(crypto.hash('sha256').digest(leafDer));
  throw new TlsError(
    'bad_certificate',
    `the server certificate's fingerprint sha-256 ${got} is not the expected one`,
    false,
    'ERR_TLS_CERT_FINGERPRINT_MISMATCH',
  );
}

/** "AB:CD:..." (RFC 8122's form). */
export function formatFingerprint(digest: Uint8Array): string {
  return Array.from(digest, (b) => b.toString(16).toUpperCase().padStart(2, '0')).join(':');
}

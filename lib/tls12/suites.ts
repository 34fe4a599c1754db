/**
 * The TLS 1.2 cipher suites we implement: ECDHE key exchange, ECDSA
 * certificates, AEAD record protection (RFC 5289 for AES-GCM with ECDHE,
 * RFC 5288 for the GCM record format, RFC 7905 for ChaCha20-Poly1305).
 *
 * Unlike TLS 1.3, a 1.2 suite names its key exchange and the kind of
 * certificate too. The fields are laid out so the suites still to come slot
 * in as rows (and, for CCM_8, an AeadName with an 8-byte tag):
 * - ECDHE_RSA: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 0xc02f,
 *   TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 0xc030,
 *   TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 0xcca8 (auth 'rsa');
 * - PSK: TLS_PSK_WITH_AES_128_GCM_SHA256 0x00a8, TLS_PSK_WITH_AES_128_CCM_8
 *   0xc0a8 (kx 'psk', auth 'psk'), TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256
 *   0xccac (kx 'ecdhe_psk', auth 'psk');
 * - TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 0xc0ae (RFC 7251: salt 4, explicit nonce 8).
 */
import { AEAD_KEY_LENGTHS } from '../crypto/algorithms.js';
import type { AeadName, HashName } from '../crypto/provider.js';
import { AES_GCM_RECORD_LIMIT, CHACHA_RECORD_LIMIT } from '../record/limits.js';

export type Tls12SuiteName =
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256';

/** How the premaster secret is agreed: ECDHE, a pre-shared key, or ECDHE mixed with a PSK (RFC 5489). */
export type KeyExchange = 'ecdhe' | 'psk' | 'ecdhe_psk';
/** How the server proves who it is: a signature with its certificate's key, or knowing the PSK. */
export type Authentication = 'ecdsa' | 'rsa' | 'psk';

export interface Tls12CipherSuite {
  readonly name: Tls12SuiteName;
  readonly code: number;
  readonly kx: KeyExchange;
  readonly auth: Authentication;
  readonly aead: AeadName;
  /** The PRF hash (RFC 5246 §5): master secret, key block, Finished, and the EMS session hash. */
  readonly hash: HashName;
  /** enc_key_length; mac_key_length is 0 for every AEAD suite. */
  readonly keyLength: number;
  /** fixed_iv_length: the 4-byte salt for GCM and CCM, the 12-byte IV for ChaCha20-Poly1305. */
  readonly fixedIvLength: number;
  /** record_iv_length: bytes of nonce sent in front of each record's ciphertext (8 for GCM and CCM, 0 for ChaCha20). */
  readonly explicitNonceLength: number;
  /** Records per key before the connection should end (RFC 8446 §5.5's limits; TLS 1.2 has no KeyUpdate). */
  readonly recordLimit: number;
}

function aesGcm(name: Tls12SuiteName, code: number, aead: 'aes-128-gcm' | 'aes-256-gcm', hash: HashName): Tls12CipherSuite {
  return Object.freeze({
    name, code, kx: 'ecdhe', auth: 'ecdsa', aead, hash,
    keyLength: AEAD_KEY_LENGTHS[aead], fixedIvLength: 4, explicitNonceLength: 8, recordLimit: AES_GCM_RECORD_LIMIT,
  });
}

function chacha20(name: Tls12SuiteName, code: number): Tls12CipherSuite {
  return Object.freeze({
    name, code, kx: 'ecdhe', auth: 'ecdsa', aead: 'chacha20-poly1305', hash: 'sha256',
    keyLength: AEAD_KEY_LENGTHS['chacha20-poly1305'], fixedIvLength: 12, explicitNonceLength: 0, recordLimit: CHACHA_RECORD_LIMIT,
  });
}

/** Our preference order among equals; only the ECDSA suites for now (see the module comment for the rest). */
export const TLS12_SUITES: readonly Tls12CipherSuite[] = Object.freeze([
  aesGcm('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 0xc02b, 'aes-128-gcm', 'sha256'),
  aesGcm('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 0xc02c, 'aes-256-gcm', 'sha384'),
  chacha20('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca9),
]);

export function tls12SuiteByCode(code: number): Tls12CipherSuite | undefined {
  return TLS12_SUITES.find((s) => s.code === code);
}

export function tls12SuiteByName(name: string): Tls12CipherSuite {
  const s = TLS12_SUITES.find((x) => x.name === name);
  if (!s) throw new Error(`unknown TLS 1.2 cipher suite ${name}`);
  return s;
}

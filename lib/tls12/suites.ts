/**
 * The TLS 1.2 cipher suites we implement, all AEAD with the SHA-256 or
 * SHA-384 PRF (no RSA key exchange, no CBC):
 * - ECDHE_ECDSA with AES-GCM (RFC 5289; record format RFC 5288),
 *   ChaCha20-Poly1305 (RFC 7905) and AES-CCM_8 (RFC 7251);
 * - ECDHE_RSA with AES-GCM (RFC 5289) and ChaCha20-Poly1305 (RFC 7905): the
 *   ECDHE exchange signed by an RSA certificate (PSS or PKCS#1 v1.5);
 * - PSK (RFC 4279) with AES-GCM (RFC 5487) and AES-CCM_8 (RFC 6655);
 * - ECDHE_PSK (RFC 5489) with ChaCha20-Poly1305 (RFC 7905).
 *
 * Unlike TLS 1.3, a 1.2 suite names its key exchange and the kind of
 * certificate too.
 *
 * Which suites are used without a `suites` option: the ECDHE_ECDSA and ECDHE_RSA ones of
 * the provider's AEADs (provider.aeads, which lists no CCM: as OpenSSL,
 * CCM_8 suites only when named), and the PSK ones likewise when a `psk` is
 * configured (tls13/config.ts).
 */
import { AEAD_KEY_LENGTHS } from '../crypto/algorithms.js';
import type { AeadName, HashName, PublicKey } from '../crypto/provider.js';
import { AES_CCM_RECORD_LIMIT, AES_GCM_RECORD_LIMIT, CHACHA_RECORD_LIMIT } from '../record/limits.js';

export type Tls12SuiteName =
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8'
  | 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256'
  | 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'
  | 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256'
  | 'TLS_PSK_WITH_AES_128_GCM_SHA256'
  | 'TLS_PSK_WITH_AES_128_CCM_8'
  | 'TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256';

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

/** The key exchange and who authenticates it: ECDHE signed by an ECDSA (or EdDSA) or RSA certificate, or a PSK with or without ECDHE. */
type Exchange = { kx: 'ecdhe'; auth: 'ecdsa' | 'rsa' } | { kx: 'psk' | 'ecdhe_psk'; auth: 'psk' };
const ECDHE_ECDSA: Exchange = { kx: 'ecdhe', auth: 'ecdsa' };
const ECDHE_RSA: Exchange = { kx: 'ecdhe', auth: 'rsa' };
const PSK: Exchange = { kx: 'psk', auth: 'psk' };
const ECDHE_PSK: Exchange = { kx: 'ecdhe_psk', auth: 'psk' };

/** AES-GCM (RFC 5288) and AES-CCM (RFC 6655 §3): salt(4) || explicit nonce(8), the explicit part sent per record. */
function aes(name: Tls12SuiteName, code: number, x: Exchange, aead: 'aes-128-gcm' | 'aes-256-gcm' | 'aes-128-ccm-8', hash: HashName): Tls12CipherSuite {
  const recordLimit = aead === 'aes-128-ccm-8' ? AES_CCM_RECORD_LIMIT : AES_GCM_RECORD_LIMIT;
  return Object.freeze({ name, code, ...x, aead, hash, keyLength: AEAD_KEY_LENGTHS[aead], fixedIvLength: 4, explicitNonceLength: 8, recordLimit });
}

function chacha20(name: Tls12SuiteName, code: number, x: Exchange): Tls12CipherSuite {
  return Object.freeze({
    name, code, ...x, aead: 'chacha20-poly1305', hash: 'sha256',
    keyLength: AEAD_KEY_LENGTHS['chacha20-poly1305'], fixedIvLength: 12, explicitNonceLength: 0, recordLimit: CHACHA_RECORD_LIMIT,
  });
}

/**
 * Our preference order among equals: the certificate suites first (they were
 * the only ones; a server with a certificate and a PSK keeps choosing them for
 * clients that offer both), then the PSK ones.
 */
export const TLS12_SUITES: readonly Tls12CipherSuite[] = Object.freeze([
  aes('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 0xc02b, ECDHE_ECDSA, 'aes-128-gcm', 'sha256'),
  aes('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 0xc02c, ECDHE_ECDSA, 'aes-256-gcm', 'sha384'),
  chacha20('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca9, ECDHE_ECDSA),
  aes('TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', 0xc0ae, ECDHE_ECDSA, 'aes-128-ccm-8', 'sha256'),
  aes('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 0xc02f, ECDHE_RSA, 'aes-128-gcm', 'sha256'),
  aes('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 0xc030, ECDHE_RSA, 'aes-256-gcm', 'sha384'),
  chacha20('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', 0xcca8, ECDHE_RSA),
  chacha20('TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256', 0xccac, ECDHE_PSK),
  aes('TLS_PSK_WITH_AES_128_GCM_SHA256', 0x00a8, PSK, 'aes-128-gcm', 'sha256'),
  aes('TLS_PSK_WITH_AES_128_CCM_8', 0xc0a8, PSK, 'aes-128-ccm-8', 'sha256'),
]);

/** Whether a certificate key can sign for a suite: ECDHE_ECDSA takes ECDSA or EdDSA keys (RFC 8422 §2), ECDHE_RSA RSA ones. */
export function keyFitsSuite(suite: Tls12CipherSuite, key: PublicKey): boolean {
  if (suite.auth === 'rsa') return key.kind === 'rsa';
  return suite.auth === 'ecdsa' && key.kind !== 'rsa';
}

/** A suite whose key exchange uses a pre-shared key (RFC 4279, RFC 5489). */
export function isPskSuite(suite: Tls12CipherSuite): boolean {
  return suite.auth === 'psk';
}

export function tls12SuiteByCode(code: number): Tls12CipherSuite | undefined {
  return TLS12_SUITES.find((s) => s.code === code);
}

export function tls12SuiteByName(name: string): Tls12CipherSuite {
  const s = TLS12_SUITES.find((x) => x.name === name);
  if (!s) throw new Error(`unknown TLS 1.2 cipher suite ${name}`);
  return s;
}

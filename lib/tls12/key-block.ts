/**
 * The TLS 1.2 key block cut into the connection's keys (RFC 5246 §6.3):
 *
 *   client_write_MAC_key, server_write_MAC_key, client_write_key,
 *   server_write_key, client_write_IV, server_write_IV
 *
 * For AEAD suites mac_key_length is 0, and the IVs are fixed_iv_length bytes:
 * the 4-byte salt of AES-GCM (RFC 5288 §3) or the 12-byte IV of
 * ChaCha20-Poly1305 (RFC 7905 §2).
 */
import type { HashFunctions } from '../crypto/provider.js';
import { keyBlock } from './prf.js';
import type { Tls12CipherSuite } from './suites.js';

/** What the split needs to know of a suite. */
export type KeyBlockShape = Pick<Tls12CipherSuite, 'keyLength' | 'fixedIvLength'>;

export interface Tls12Keys {
  readonly clientWriteKey: Uint8Array;
  readonly serverWriteKey: Uint8Array;
  readonly clientWriteIv: Uint8Array;
  readonly serverWriteIv: Uint8Array;
}

/** Bytes of key block an AEAD suite needs: two keys and two fixed IVs. */
export function keyBlockLength(shape: KeyBlockShape): number {
  return 2 * (shape.keyLength + shape.fixedIvLength);
}

/** Cuts `block` (at least keyBlockLength(shape) bytes) into the four values, as copies. */
export function splitKeyBlock(block: Uint8Array, shape: KeyBlockShape): Tls12Keys {
  const { keyLength: k, fixedIvLength: iv } = shape;
  if (block.length < keyBlockLength(shape)) throw new RangeError(`key block of ${block.length} bytes, ${keyBlockLength(shape)} needed`);
  return {
    clientWriteKey: block.slice(0, k),
    serverWriteKey: block.slice(k, 2 * k),
    clientWriteIv: block.slice(2 * k, 2 * k + iv),
    serverWriteIv: block.slice(2 * k + iv, 2 * k + 2 * iv),
  };
}

/** The connection's keys from the master secret: keyBlock with the suite's PRF hash, then splitKeyBlock. */
export function deriveKeys(hash: HashFunctions, master: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, shape: KeyBlockShape): Tls12Keys {
  const block = keyBlock(hash, master, clientRandom, serverRandom, keyBlockLength(shape));
  const keys = splitKeyBlock(block, shape);
  block.fill(0);
  return keys;
}

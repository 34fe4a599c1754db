/**
 * Asking the server's `psk` callback for the key of a client identity, for
 * TLS 1.2's PSK suites and TLS 1.3's external PSKs alike: the callback gets
 * a copy of the identity bytes, and a key it returns that no PSK can be
 * (empty, or over 65535 bytes) is our side's fault: internal_error.
 */
import { TlsError } from '../errors.js';

export type PskCallback = (identity: Uint8Array) => Uint8Array | undefined;

export function askPskCallback(callback: PskCallback | undefined, identity: Uint8Array): Uint8Array | undefined {
  const key = callback?.(identity.slice());
  if (key === undefined) return undefined;
  if (key.length === 0 || key.length > 0xffff) throw new TlsError('internal_error', `the psk callback returned an unusable key: a PSK is 1 to 65535 bytes, not ${key.length}`);
  return key.slice();
}

/**
 * The premaster secret of the PSK key exchanges:
 *   uint16(len(other_secret)) || other_secret || uint16(len(psk)) || psk
 * with other_secret N zero bytes for plain PSK, N the PSK's length (RFC 4279
 * §2), and the ECDH shared secret for ECDHE_PSK (RFC 5489 §2).
 */
import { Writer } from '../wire/codec.js';

/** RFC 4279 §5.3: a PSK is at most 2^16 - 1 bytes (its length is a uint16 here); an empty one protects nothing. */
export function checkPsk(psk: Uint8Array): void {
  if (psk.length === 0 || psk.length > 0xffff) throw new RangeError(`a PSK is 1 to 65535 bytes, not ${psk.length}`);
}

/** uint16(len(other)) || other || uint16(len(psk)) || psk. */
export function pskPremaster(otherSecret: Uint8Array, psk: Uint8Array): Uint8Array {
  checkPsk(psk);
  return new Writer(4 + otherSecret.length + psk.length).vec(2, otherSecret).vec(2, psk).finish().slice();
}

/** Plain PSK (RFC 4279 §2): the other secret is as many zero bytes as the PSK is long. */
export function plainPskPremaster(psk: Uint8Array): Uint8Array {
  return pskPremaster(new Uint8Array(psk.length), psk);
}

/** ECDHE_PSK (RFC 5489 §2): the other secret is the ECDH shared secret, which is wiped once used. */
export function ecdhePskPremaster(ecdhSecret: Uint8Array, psk: Uint8Array): Uint8Array {
  const premaster = pskPremaster(ecdhSecret, psk);
  ecdhSecret.fill(0);
  return premaster;
}

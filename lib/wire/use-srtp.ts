/**
 * The use_srtp extension (14, RFC 5764 §4.1.1), which negotiates DTLS-SRTP:
 *
 *   uint8 SRTPProtectionProfile[2];
 *   struct {
 *     SRTPProtectionProfile SRTPProtectionProfiles<2..2^16-1>;
 *     opaque srtp_mki<0..255>;
 *   } UseSRTPData;
 *
 * A client lists the profiles it takes, a server answers with exactly one.
 * Profile names are OpenSSL's and GnuTLS's (RFC 5764 §4.1.2, RFC 7714 §14.2).
 */
import { decodeError } from '../errors.js';
import { Writer } from './codec.js';
import { decodeBody } from './extension.js';

export const SrtpProfileCode = {
  SRTP_AES128_CM_SHA1_80: 0x0001,
  SRTP_AES128_CM_SHA1_32: 0x0002,
  SRTP_AEAD_AES_128_GCM: 0x0007,
  SRTP_AEAD_AES_256_GCM: 0x0008,
} as const;

export type SrtpProfileName = keyof typeof SrtpProfileCode;

export interface UseSrtpData {
  /** Profile codes, known to us or not, in the sender's order. */
  profiles: number[];
  /** The master key identifier; we send it empty. */
  mki: Uint8Array;
}

const EMPTY = new Uint8Array(0);

/** A use_srtp body: at least one profile, an MKI of at most 255 bytes. */
export function encodeUseSrtp(profiles: readonly number[], mki: Uint8Array = EMPTY): Uint8Array {
  if (profiles.length === 0 || profiles.length > 0x7fff) throw new RangeError(`use_srtp: ${profiles.length} profiles (1 to 32767)`);
  for (const p of profiles) if (!Number.isInteger(p) || p < 0 || p > 0xffff) throw new RangeError(`use_srtp: profile ${p}`);
  if (mki.length > 255) throw new RangeError(`use_srtp: a ${mki.length}-byte MKI (at most 255)`);
  const w = new Writer(2 + 2 * profiles.length + 1 + mki.length);
  w.nested(2, (l) => profiles.forEach((p) => l.u16(p)));
  return w.vec(1, mki).finish().slice();
}

/** Decodes a use_srtp body strictly (decode_error): an empty or odd-length profile list, or trailing bytes, are malformed. */
export function decodeUseSrtp(data: Uint8Array): UseSrtpData {
  return decodeBody(data, 'use_srtp', (r) => {
    const list = r.sub(2, 2);
    if (list.remaining % 2) throw decodeError('use_srtp: odd length of the profile list');
    const profiles: number[] = [];
    while (!list.atEnd()) profiles.push(list.u16());
    return { profiles, mki: r.vec(1).slice() };
  });
}

/**
 * The certificate type extensions of RFC 7250 §3: client_certificate_type (19)
 * and server_certificate_type (20), which let a peer authenticate with a bare
 * SubjectPublicKeyInfo (a "raw public key") instead of an X.509 chain.
 *
 * Both extensions have the same two bodies:
 * - in a ClientHello, the types the client can send or accept, in its order
 *   of preference: `CertificateType certificate_types<1..2^8-1>`;
 * - in a ServerHello (TLS 1.2) or EncryptedExtensions (TLS 1.3), the one the
 *   server selected: a single `CertificateType` byte, no length.
 * Decoders are strict (decode_error); which types are acceptable is for the
 * handshake to decide.
 */
import { decodeError } from '../errors.js';
import { Writer } from './codec.js';
import { decodeBody } from './extension.js';

/** CertificateType values (IANA TLS Certificate Types; 1, OpenPGP, is deprecated by RFC 8446). */
export const CertificateType = {
  X509: 0,
  RawPublicKey: 2,
} as const;

export type CertificateTypeName = keyof typeof CertificateType;

/** The name of a known type, undefined for any other value. */
export function certificateTypeName(code: number): CertificateTypeName | undefined {
  return (Object.keys(CertificateType) as CertificateTypeName[]).find((name) => CertificateType[name] === code);
}

function checkType(code: number): number {
  if (!Number.isInteger(code) || code < 0 || code > 0xff) throw new RangeError(`certificate type ${code} is not a byte`);
  return code;
}

/** A ClientHello's body: the offered types, most preferred first. */
export function encodeCertificateTypeList(types: readonly number[]): Uint8Array {
  if (types.length === 0 || types.length > 0xff) throw new RangeError(`certificate_types holds 1 to 255 types, not ${types.length}`);
  return new Writer(1 + types.length).vec(1, Uint8Array.from(types, checkType)).finish().slice();
}

/** The types of a ClientHello's body (unknown values included: the server skips them). */
export function decodeCertificateTypeList(data: Uint8Array, what: string): number[] {
  return Array.from(decodeBody(data, what, (r) => r.vec(1, 1)));
}

/** A server's body: the selected type, one byte. */
export function encodeSelectedCertificateType(type: number): Uint8Array {
  return Uint8Array.of(checkType(type));
}

/** The type a server selected; anything but one byte is decode_error. */
export function decodeSelectedCertificateType(data: Uint8Array, what: string): number {
  if (data.length !== 1) throw decodeError(`${what}: ${data.length} bytes where the server's selection is one byte`);
  return data[0]!;
}

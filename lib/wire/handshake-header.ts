/**
 * The handshake message header, for both flavours:
 *
 * - TLS (RFC 5246 §7.4, RFC 8446 §4), 4 bytes:
 *   `msg_type u8, length u24`;
 * - DTLS (RFC 6347 §4.2.2, RFC 9147 §5.2), 12 bytes:
 *   `msg_type u8, length u24, message_seq u16, fragment_offset u24, fragment_length u24`,
 *   where `length` is the length of the whole message and the fragment
 *   covers bytes [fragment_offset, fragment_offset + fragment_length) of it.
 *
 * The header is the same for TLS 1.2 and 1.3 (and for DTLS 1.2 and 1.3);
 * message bodies are not this module's business. Decoding never reads past
 * the input and answers `undefined` while the header is incomplete, so a
 * stream reader can call it again when more bytes arrive.
 */
import { decodeError } from '../errors.js';

export type HandshakeFlavor = 'tls' | 'dtls';

/** Header length in bytes per flavour. */
export const HANDSHAKE_HEADER_LENGTH = { tls: 4, dtls: 12 } as const satisfies Record<HandshakeFlavor, number>;

/** The largest value of a u24 length field (the most a handshake message can declare). */
export const MAX_HANDSHAKE_LENGTH = 0xffffff;

export interface TlsHandshakeHeader {
  /** HandshakeType (enums.ts HandshakeType, tls12-enums.ts Tls12HandshakeType). */
  type: number;
  /** Length of the whole message body (not of this fragment, in DTLS). */
  length: number;
}

export interface DtlsHandshakeHeader extends TlsHandshakeHeader {
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
}

/** What `readHandshakeHeader` answers: the DTLS fields are present exactly for the 'dtls' flavour. */
export type HandshakeHeader = TlsHandshakeHeader & Partial<Omit<DtlsHandshakeHeader, keyof TlsHandshakeHeader>>;

/**
 * The header bytes for `h`. For 'dtls', `messageSeq` is required, and the
 * fragment defaults to the whole message (offset 0, fragment length = length).
 * For 'tls' the DTLS fields must be absent. Values out of range are
 * programming errors (RangeError), not protocol errors.
 */
export function encodeHandshakeHeader(h: HandshakeHeader, flavor: HandshakeFlavor): Uint8Array {
  checkField('type', h.type, 0xff);
  checkField('length', h.length, MAX_HANDSHAKE_LENGTH);
  const out = new Uint8Array(HANDSHAKE_HEADER_LENGTH[flavor]);
  out[0] = h.type;
  putU24(out, 1, h.length);
  if (flavor === 'tls') {
    if (h.messageSeq !== undefined || h.fragmentOffset !== undefined || h.fragmentLength !== undefined) {
      throw new RangeError('handshake header: DTLS fields given for a TLS header');
    }
    return out;
  }
  if (h.messageSeq === undefined) throw new RangeError('handshake header: DTLS header without messageSeq');
  const fragmentOffset = h.fragmentOffset ?? 0;
  const fragmentLength = h.fragmentLength ?? h.length - fragmentOffset;
  checkField('messageSeq', h.messageSeq, 0xffff);
  checkField('fragmentOffset', fragmentOffset, MAX_HANDSHAKE_LENGTH);
  checkField('fragmentLength', fragmentLength, MAX_HANDSHAKE_LENGTH);
  if (fragmentOffset + fragmentLength > h.length) {
    throw new RangeError(`handshake header: fragment [${fragmentOffset}, +${fragmentLength}) past the message length ${h.length}`);
  }
  out[4] = h.messageSeq >>> 8;
  out[5] = h.messageSeq & 0xff;
  putU24(out, 6, fragmentOffset);
  putU24(out, 9, fragmentLength);
  return out;
}

/**
 * Reads the header at `offset` of `bytes`, or answers `undefined` when fewer
 * than 4 ('tls') or 12 ('dtls') bytes are left there. Nothing past the header
 * is looked at: whether the body (or the DTLS fragment) has arrived is the
 * caller's question.
 *
 * A DTLS header whose fragment does not fit in the message it describes
 * (fragment_offset + fragment_length > length) throws TlsError decode_error.
 * RFC 6347 §4.1.2.7 has DTLS drop an invalid record rather than fail the
 * connection: the datagram caller catches the typed error and drops the record.
 */
export function readHandshakeHeader(bytes: Uint8Array, offset: number, flavor: 'tls'): TlsHandshakeHeader | undefined;
export function readHandshakeHeader(bytes: Uint8Array, offset: number, flavor: 'dtls'): DtlsHandshakeHeader | undefined;
export function readHandshakeHeader(bytes: Uint8Array, offset: number, flavor: HandshakeFlavor): HandshakeHeader | undefined;
export function readHandshakeHeader(bytes: Uint8Array, offset: number, flavor: HandshakeFlavor): HandshakeHeader | undefined {
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > bytes.length) {
    throw new RangeError(`handshake header: offset ${offset} outside [0, ${bytes.length}]`);
  }
  if (bytes.length - offset < HANDSHAKE_HEADER_LENGTH[flavor]) return undefined;
  const type = bytes[offset]!;
  const length = getU24(bytes, offset + 1);
  if (flavor === 'tls') return { type, length };
  const messageSeq = (bytes[offset + 4]! << 8) | bytes[offset + 5]!;
  const fragmentOffset = getU24(bytes, offset + 6);
  const fragmentLength = getU24(bytes, offset + 9);
  if (fragmentOffset + fragmentLength > length) {
    throw decodeError(`handshake header: fragment [${fragmentOffset}, +${fragmentLength}) past the message length ${length}`);
  }
  return { type, length, messageSeq, fragmentOffset, fragmentLength };
}

function checkField(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`handshake header: ${name} ${v} outside [0, ${max}]`);
}

function putU24(out: Uint8Array, at: number, v: number): void {
  out[at] = v >>> 16;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = v & 0xff;
}

function getU24(b: Uint8Array, at: number): number {
  return (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
}

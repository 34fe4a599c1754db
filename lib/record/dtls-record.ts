/**
 * The DTLS 1.2 record layer's framing (RFC 6347 §4.1):
 *
 *   struct {
 *     ContentType type;              1
 *     ProtocolVersion version;       2   0xfefd (DTLS 1.2), 0xfeff (DTLS 1.0, first ClientHello)
 *     uint16 epoch;                  2   bumped by every ChangeCipherSpec
 *     uint48 sequence_number;        6   explicit, per epoch
 *     uint16 length;                 2
 *     opaque fragment[length];
 *   } DTLSCiphertext;
 *
 * A datagram holds one or more whole records; a record never spans two
 * datagrams. The 8 bytes epoch || sequence_number are the seq_num of the
 * AEAD's additional data, so DTLS 1.2 protection is TLS 1.2's behind this
 * framing (tls12-protection.ts).
 */
import { SequenceNumber, type Tls12Framing } from './tls12-protection.js';

export { DTLS1_2_VERSION as DTLS12_VERSION, DTLS1_0_VERSION as DTLS10_VERSION } from '../wire/dtls-hello.js';
import { DTLS1_2_VERSION as DTLS12_VERSION } from '../wire/dtls-hello.js';
export const DTLS_RECORD_HEADER_LENGTH = 13;
/** Largest fragment a DTLS 1.2 record may declare (2^14 + 2048, as TLS 1.2). */
export const DTLS_MAX_FRAGMENT = (1 << 14) + 2048;

export interface DtlsRecord {
  type: number;
  version: number;
  epoch: number;
  /** The 48-bit sequence number within the epoch. */
  seq: number;
  /** The 13 header bytes (what the opener authenticates). */
  header: Uint8Array;
  fragment: Uint8Array;
}

/**
 * The records of one datagram, in order. `malformed` when trailing bytes do
 * not form a whole record (a header cut short, a length past the datagram's
 * end, an oversized fragment): those bytes are dropped, as RFC 6347 §4.1.2.7 says.
 */
export function splitDatagram(datagram: Uint8Array): { records: DtlsRecord[]; malformed: boolean } {
  const records: DtlsRecord[] = [];
  let at = 0;
  while (at < datagram.length) {
    if (datagram.length - at < DTLS_RECORD_HEADER_LENGTH) return { records, malformed: true };
    const d = datagram;
    const length = (d[at + 11]! << 8) | d[at + 12]!;
    const end = at + DTLS_RECORD_HEADER_LENGTH + length;
    if (end > d.length || length > DTLS_MAX_FRAGMENT) return { records, malformed: true };
    records.push({
      type: d[at]!,
      version: (d[at + 1]! << 8) | d[at + 2]!,
      epoch: (d[at + 3]! << 8) | d[at + 4]!,
      seq: ((d[at + 5]! << 8) | d[at + 6]!) * 0x100000000 + ((d[at + 7]! << 24) >>> 0) + ((d[at + 8]! << 16) | (d[at + 9]! << 8) | d[at + 10]!),
      header: d.subarray(at, at + DTLS_RECORD_HEADER_LENGTH),
      fragment: d.subarray(at + DTLS_RECORD_HEADER_LENGTH, end),
    });
    at = end;
  }
  return { records, malformed: false };
}

/** The seq_num epoch(2) || `start`(6), counting in the low 6 bytes. */
function epochSequence(epoch: number, start = 0): SequenceNumber {
  const initial = new Uint8Array(8);
  initial[0] = epoch >>> 8;
  initial[1] = epoch & 0xff;
  for (let i = 7, v = start; i >= 2; i--, v = Math.floor(v / 256)) initial[i] = v % 256;
  return new SequenceNumber(initial, 2);
}

/** Writes a 13-byte DTLS header; `seqNum` is epoch || sequence_number. */
function writeDtlsHeader(hdr: Uint8Array, type: number, length: number, seqNum: Uint8Array, version: number): void {
  hdr[0] = type;
  hdr[1] = version >>> 8;
  hdr[2] = version & 0xff;
  hdr.set(seqNum, 3);
  hdr[11] = length >>> 8;
  hdr[12] = length & 0xff;
}

/** DTLS 1.2 framing for the records of one epoch: explicit epoch || 48-bit sequence numbers in a 13-byte header. */
export function dtlsFraming(epoch: number, version = DTLS12_VERSION): Tls12Framing {
  if (!(epoch >= 0 && epoch <= 0xffff)) throw new RangeError(`DTLS epoch ${epoch}`);
  return Object.freeze({
    version,
    headerLength: DTLS_RECORD_HEADER_LENGTH,
    newSequence: () => epochSequence(epoch),
    writeHeader: (hdr: Uint8Array, type: number, length: number, seqNum: Uint8Array) => writeDtlsHeader(hdr, type, length, seqNum, version),
    seqNumOf: (hdr: Uint8Array) => hdr.subarray(3, 11),
  });
}

/** Writes the unprotected records of epoch 0, numbering them. */
export class DtlsPlaintextWriter {
  readonly epoch = 0;
  readonly expansion = 0;
  private sequence = epochSequence(0);

  constructor(private readonly version = DTLS12_VERSION) {}

  /**
   * Numbers the next record `seq`. A server behind a stateless cookie
   * exchange starts at the record number of the ClientHello it answers, as
   * OpenSSL's DTLSv1_listen does: the HelloVerifyRequest already used the
   * number of the hello before, and a peer's replay window drops a number twice.
   */
  startAt(seq: number): void {
    this.sequence = epochSequence(0, seq);
  }

  /** One whole record of `content` with the next sequence number. */
  record(type: number, content: Uint8Array): Uint8Array {
    this.sequence.check();
    const out = new Uint8Array(DTLS_RECORD_HEADER_LENGTH + content.length);
    writeDtlsHeader(out, type, content.length, this.sequence.bytes, this.version);
    out.set(content, DTLS_RECORD_HEADER_LENGTH);
    this.sequence.advance();
    return out;
  }
}

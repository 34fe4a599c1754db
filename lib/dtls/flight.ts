/**
 * A DTLS flight: the messages one side sends before it waits for the other,
 * and the unit of retransmission (RFC 6347 §4.2.4). The DTLS 1.2 handshakes
 * and their flights:
 *
 *   Client                                          Server
 *   ------                                          ------
 *   ClientHello                  -------->                          Flight 1
 *
 *                                <-------    HelloVerifyRequest     Flight 2
 *
 *   ClientHello (with cookie)    -------->                          Flight 3
 *
 *                                                   ServerHello    \
 *                                                  Certificate*     \
 *                                            ServerKeyExchange*      Flight 4
 *                                           CertificateRequest*     /
 *                                <--------      ServerHelloDone    /
 *
 *   Certificate*                                                   \
 *   ClientKeyExchange                                               \
 *   CertificateVerify*                                               Flight 5
 *   [ChangeCipherSpec]                                              /
 *   Finished                     -------->                         /
 *
 *                                            [NewSessionTicket]    \
 *                                          [ChangeCipherSpec]       Flight 6
 *                                <--------             Finished    /
 *
 * Resumption (abbreviated): ClientHello (1), ServerHello [NewSessionTicket]
 * [ChangeCipherSpec] Finished (2), [ChangeCipherSpec] Finished (3).
 *
 * A flight keeps its messages, not their records: every transmission seals
 * them anew (new record sequence numbers, which the peer's replay window
 * needs) under the epoch each was first sent in, and cuts them into
 * fragments that fit the MTU of that transmission. Several records share a
 * datagram while they fit; a record never spans two.
 */
import { ContentType } from '../wire/enums.js';
import { encodeHandshakeHeader, HANDSHAKE_HEADER_LENGTH } from '../wire/handshake-header.js';
import { concatBytes } from '../wire/codec.js';
import { MAX_PLAINTEXT } from '../record/limits.js';
import { DTLS_RECORD_HEADER_LENGTH } from '../record/dtls-record.js';

export type FlightEntry =
  | { kind: 'handshake'; type: number; messageSeq: number; body: Uint8Array; epoch: number }
  | { kind: 'ccs'; epoch: number };

/** Seals records of one write epoch. */
export interface EpochWriter {
  readonly epoch: number;
  /** Bytes each record adds besides its 13-byte header (explicit nonce, tag). */
  readonly expansion: number;
  record(type: number, content: Uint8Array): Uint8Array;
}

const DTLS_HS_HEADER = HANDSHAKE_HEADER_LENGTH.dtls;
/** A fragment smaller than this does not start at the end of a datagram: it goes into the next one. */
const MIN_FRAGMENT = 32;

/** Packs records into datagrams of at most `mtu` bytes. */
class DatagramPacker {
  readonly datagrams: Uint8Array[] = [];
  private parts: Uint8Array[] = [];
  private size = 0;

  constructor(readonly mtu: number) {}

  get room(): number {
    return this.mtu - this.size;
  }
  get empty(): boolean {
    return this.size === 0;
  }

  add(record: Uint8Array): void {
    if (this.size + record.length > this.mtu && !this.empty) this.close();
    this.parts.push(record);
    this.size += record.length;
  }

  close(): void {
    if (this.empty) return;
    this.datagrams.push(this.parts.length === 1 ? this.parts[0]! : concatBytes(...this.parts));
    this.parts = [];
    this.size = 0;
  }
}

export class Flight {
  readonly entries: FlightEntry[] = [];
  /** How many times it went out (1 after the first transmission). */
  transmissions = 0;

  get empty(): boolean {
    return this.entries.length === 0;
  }

  add(entry: FlightEntry): void {
    this.entries.push(entry);
  }

  /** The flight as datagrams of at most `mtu` bytes, sealed now by the writer of each entry's epoch. */
  datagrams(mtu: number, writerFor: (epoch: number) => EpochWriter): Uint8Array[] {
    this.transmissions++;
    const packer = new DatagramPacker(mtu);
    for (const entry of this.entries) {
      const writer = writerFor(entry.epoch);
      if (entry.kind === 'ccs') packer.add(writer.record(ContentType.change_cipher_spec, Uint8Array.of(1)));
      else packFragments(packer, writer, entry);
    }
    packer.close();
    return packer.datagrams;
  }
}

/** One handshake message as fragments, each in a record that fits the room left (a message of length 0 is one fragment). */
function packFragments(packer: DatagramPacker, writer: EpochWriter, m: Extract<FlightEntry, { kind: 'handshake' }>): void {
  const perRecord = DTLS_RECORD_HEADER_LENGTH + writer.expansion + DTLS_HS_HEADER;
  let offset = 0;
  do {
    const left = m.body.length - offset;
    let room = Math.min(packer.room - perRecord, MAX_PLAINTEXT - DTLS_HS_HEADER);
    if (room < Math.min(left, MIN_FRAGMENT) && !packer.empty) {
      packer.close();
      room = Math.min(packer.room - perRecord, MAX_PLAINTEXT - DTLS_HS_HEADER);
    }
    // An MTU below one header still sends something: setMtu() refuses such values, this only guards the loop.
    const n = Math.max(1, Math.min(left, room));
    const length = left === 0 ? 0 : n;
    const header = encodeHandshakeHeader({ type: m.type, length: m.body.length, messageSeq: m.messageSeq, fragmentOffset: offset, fragmentLength: length }, 'dtls');
    packer.add(writer.record(ContentType.handshake, concatBytes(header, m.body.subarray(offset, offset + length))));
    offset += length;
  } while (offset < m.body.length);
}

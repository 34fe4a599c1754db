/**
 * TLS 1.2 AEAD record protection (RFC 5246 §6.2.3.3, RFC 5288 §3, RFC 7905 §2).
 *
 *   additional_data = seq_num(8) || type(1) || version(2) || length(2)   (length of the plaintext)
 *   AES-GCM:           nonce = salt(4) || explicit_nonce(8); the explicit nonce is
 *                      sent in front of the ciphertext; we use seq_num, as OpenSSL and GnuTLS do
 *   ChaCha20-Poly1305: nonce = iv(12) xor (0^4 || seq_num(8)); nothing sent
 *   record:            header || explicit_nonce || ciphertext || tag
 *
 * Both nonces are `fixed_iv || 0...` xor `0^4 || s` (s: seq_num, or the
 * received explicit nonce), so one NonceBuilder serves both; the suite shows
 * only in how many nonce bytes the record carries (aead.nonceLength -
 * fixedIv.length: 8 or 0).
 *
 * What TLS and DTLS 1.2 do differently sits behind Tls12Framing: how the
 * 8-byte seq_num is formed (TLS: a 64-bit counter; DTLS: epoch(2) || a 48-bit
 * counter, stated in each record's header) and how the header is written
 * (TLS: 5 bytes; DTLS: 13, with the seq_num inside). The AEAD part is shared.
 *
 * Running out of sequence numbers (2^64 records for TLS) is fatal: TLS 1.2
 * would need renegotiation, which we do not do (RFC 5246 §6.1).
 */
import type { Aead } from '../crypto/provider.js';
import { TlsError } from '../errors.js';
import { concatBytes } from '../wire/codec.js';
import { writeRecordHeader } from './record-header.js';
import { MAX_PLAINTEXT, RECORD_HEADER_LENGTH } from './limits.js';

/** TLSCiphertext.length may exceed 2^14 by at most 2048 in TLS 1.2 (RFC 5246 §6.2.3). */
export const TLS12_MAX_CIPHERTEXT = MAX_PLAINTEXT + 2048;
/** seq_num(8) || type(1) || version(2) || length(2). */
const AAD_LENGTH = 13;
const SEQ_LENGTH = 8;
const EMPTY = new Uint8Array(0);

/**
 * A record sequence number as its 8 big-endian bytes, counted in place: bytes
 * before `firstCountingByte` stay as they are (the DTLS epoch). Once the last
 * value was used it is `wrapped`, and using it again is fatal.
 */
export class SequenceNumber {
  readonly bytes: Uint8Array;
  /** The counter as a number (exact up to 2^53, which no connection reaches). */
  count: number;
  wrapped = false;

  constructor(initial: Uint8Array = new Uint8Array(SEQ_LENGTH), private readonly firstCountingByte = 0) {
    if (initial.length !== SEQ_LENGTH) throw new RangeError('a seq_num is 8 bytes');
    this.bytes = initial.slice();
    this.count = 0;
    for (let i = firstCountingByte; i < SEQ_LENGTH; i++) this.count = this.count * 256 + this.bytes[i]!;
  }

  /** Throws TlsError('internal_error') when every sequence number has been used. */
  check(): void {
    if (this.wrapped) throw new TlsError('internal_error', 'record sequence numbers exhausted');
  }

  /** Moves to the next sequence number. */
  advance(): void {
    const b = this.bytes;
    let i = SEQ_LENGTH - 1;
    while (i >= this.firstCountingByte && b[i] === 0xff) b[i--] = 0;
    if (i < this.firstCountingByte) this.wrapped = true;
    else b[i]!++;
    this.count++;
  }
}

/** What differs between TLS 1.2 and DTLS 1.2 around the same AEAD protection. */
export interface Tls12Framing {
  /**
   * The record version written in each header and sealed in the additional
   * data (0x0303 TLS 1.2; DTLS 1.2 is 0xfefd). The opener authenticates the
   * version the record's header states; checking it is the record reader's job.
   */
  readonly version: number;
  /** 5 for TLS, 13 for DTLS. */
  readonly headerLength: number;
  /** The sequence number of the first record under a new key. */
  newSequence(): SequenceNumber;
  /** Writes the header of a record of `length` bytes after the header into `hdr` (headerLength bytes). */
  writeHeader(hdr: Uint8Array, type: number, length: number, seqNum: Uint8Array): void;
  /** The seq_num a received record states in its header (DTLS), or undefined when it is implicit (TLS: the count). */
  seqNumOf(hdr: Uint8Array): Uint8Array | undefined;
}

/** Stream TLS framing with record version `version`: 5-byte headers, implicit 64-bit sequence numbers. */
export function streamFraming(version = 0x0303): Tls12Framing {
  return Object.freeze({
    version,
    headerLength: RECORD_HEADER_LENGTH,
    newSequence: () => new SequenceNumber(),
    writeHeader(hdr: Uint8Array, type: number, length: number): void {
      writeRecordHeader(hdr, type, length, version);
    },
    seqNumOf: () => undefined,
  });
}

export const TLS12_FRAMING: Tls12Framing = streamFraming(0x0303);

/** Writes additional_data for a record into `aad` (13 bytes). */
function additionalData(aad: Uint8Array, seqNum: Uint8Array, type: number, versionHigh: number, versionLow: number, length: number): Uint8Array {
  aad.set(seqNum, 0);
  aad[8] = type;
  aad[9] = versionHigh;
  aad[10] = versionLow;
  aad[11] = length >>> 8;
  aad[12] = length & 0xff;
  return aad;
}

/** The per-record nonce `fixed_iv || 0...` xor `0^4 || s`, in a buffer reused by the next call. */
class NonceBuilder {
  private readonly base: Uint8Array;
  private readonly nonce: Uint8Array;

  constructor(fixedIv: Uint8Array, length: number) {
    this.base = new Uint8Array(length);
    this.base.set(fixedIv);
    this.nonce = new Uint8Array(length);
  }

  for(s: Uint8Array): Uint8Array {
    const { base, nonce } = this;
    const at = nonce.length - SEQ_LENGTH;
    nonce.set(base);
    for (let i = 0; i < SEQ_LENGTH; i++) nonce[at + i]! ^= s[i]!;
    return nonce;
  }
}

/**
 * Small buffers (additional data, record prefixes) cut from shared slabs: a
 * slice may end up in the record handed to the transport, so none is ever
 * handed out twice, and none is a tiny array of its own (see
 * record-protection.ts on what those cost a node socket).
 */
class Slab {
  private slab = new Uint8Array(0);
  private used = 0;

  take(n: number): Uint8Array {
    if (this.used + n > this.slab.length) {
      this.slab = new Uint8Array(4096);
      this.used = 0;
    }
    return this.slab.subarray(this.used, (this.used += n));
  }
}
const slab = new Slab();

/** 8 or 0: the nonce bytes a record carries, checked against what the RFCs define. */
function explicitNonceLength(aead: Aead, fixedIv: Uint8Array): number {
  const n = aead.nonceLength - fixedIv.length;
  if (n !== 0 && n !== SEQ_LENGTH) throw new RangeError(`a ${fixedIv.length}-byte fixed IV does not fit a ${aead.nonceLength}-byte AEAD nonce`);
  return n;
}

/**
 * `pieces` as returned by Aead.sealRecord(nonce, aad, ...) start with the
 * `aadLength` bytes of additional data, which are not part of a TLS 1.2
 * record: returns the pieces with the record's prefix (header and explicit
 * nonce) in their place, written by `write`. When the prefix fits where the
 * additional data was, it goes there (one buffer stays one buffer).
 */
function replaceLeading(pieces: Uint8Array[], aadLength: number, prefixLength: number, write: (prefix: Uint8Array) => void): Uint8Array[] {
  const first = pieces[0]!;
  if (first.length >= aadLength && prefixLength <= aadLength) {
    const at = aadLength - prefixLength;
    write(first.subarray(at, aadLength));
    return [first.subarray(at), ...pieces.slice(1)];
  }
  const rest: Uint8Array[] = [];
  let skip = aadLength;
  for (const p of pieces) {
    if (skip >= p.length) skip -= p.length;
    else {
      rest.push(skip > 0 ? p.subarray(skip) : p);
      skip = 0;
    }
  }
  const prefix = slab.take(prefixLength);
  write(prefix);
  return [prefix, ...rest];
}

/** What a sealer and an opener of one key share: its AEAD, nonces, sequence numbers and framing. */
abstract class Tls12KeyState {
  protected readonly sequence: SequenceNumber;
  protected readonly nonces: NonceBuilder;
  protected readonly explicitLength: number;
  protected readonly aad = new Uint8Array(AAD_LENGTH);

  constructor(
    protected readonly aead: Aead,
    /** client_write_IV or server_write_IV: the 4-byte GCM salt or the 12-byte ChaCha20-Poly1305 IV. */
    fixedIv: Uint8Array,
    protected readonly framing: Tls12Framing,
  ) {
    this.explicitLength = explicitNonceLength(aead, fixedIv);
    this.nonces = new NonceBuilder(fixedIv, aead.nonceLength);
    this.sequence = framing.newSequence();
  }

  /** Records handled under this key so far (with implicit sequence numbers: the next one). */
  get seq(): number {
    return this.sequence.count;
  }

  /** Bytes a record carries beyond its content and header: explicit nonce and tag. */
  get expansion(): number {
    return this.explicitLength + this.aead.tagLength;
  }
}

/** Protects outgoing TLS 1.2 records under one write key. */
export class Tls12RecordSealer extends Tls12KeyState {
  constructor(
    aead: Aead,
    fixedIv: Uint8Array,
    /** Records before `exhausted` (the suite's recordLimit). */
    readonly limit = Infinity,
    framing: Tls12Framing = TLS12_FRAMING,
  ) {
    super(aead, fixedIv, framing);
  }

  /** True once `limit` records were sealed (or every sequence number was used): time to close. */
  get exhausted(): boolean {
    return this.sequence.count >= this.limit || this.sequence.wrapped;
  }

  /** Returns the whole record (header included) in one buffer. */
  seal(type: number, content: Uint8Array): Uint8Array {
    const pieces = this.sealPieces(type, content);
    return pieces.length === 1 ? pieces[0]! : concatBytes(...pieces);
  }

  /** The record as pieces to write in order: header, explicit nonce, ciphertext and tag. */
  sealPieces(type: number, content: Uint8Array): Uint8Array[] {
    if (content.length > MAX_PLAINTEXT) throw new RangeError('record content over 2^14 bytes');
    const { aead, framing, sequence } = this;
    sequence.check();
    const seqNum = sequence.bytes;
    const length = this.explicitLength + content.length + aead.tagLength;
    const prefixLength = framing.headerLength + this.explicitLength;
    const writePrefix = (prefix: Uint8Array) => {
      framing.writeHeader(prefix, type, length, seqNum);
      if (this.explicitLength) prefix.set(seqNum, framing.headerLength);
    };
    const nonce = this.nonces.for(seqNum);
    // With sealRecord the additional data's buffer may come back as part of the record: never reuse it then.
    const aadBuffer = aead.sealRecord ? slab.take(AAD_LENGTH) : this.aad;
    const aad = additionalData(aadBuffer, seqNum, type, framing.version >>> 8, framing.version & 0xff, content.length);
    let pieces: Uint8Array[];
    if (aead.sealRecord) {
      pieces = replaceLeading(aead.sealRecord(nonce, aad, content, EMPTY), AAD_LENGTH, prefixLength, writePrefix);
    } else {
      const prefix = slab.take(prefixLength);
      writePrefix(prefix);
      pieces = [prefix, aead.seal(nonce, content, aad)];
    }
    sequence.advance();
    return pieces;
  }
}

/** Removes protection from incoming TLS 1.2 records under one read key. */
export class Tls12RecordOpener extends Tls12KeyState {
  constructor(aead: Aead, fixedIv: Uint8Array, framing: Tls12Framing = TLS12_FRAMING) {
    super(aead, fixedIv, framing);
  }

  /**
   * The record's type and plaintext. Throws TlsError: record_overflow for a
   * fragment over 2^14 + 2048 bytes or a plaintext over 2^14; bad_record_mac
   * for one too short to hold the explicit nonce and tag, or that does not
   * authenticate.
   */
  open(hdr: Uint8Array, fragment: Uint8Array): { type: number; content: Uint8Array } {
    const { aead, framing, sequence } = this;
    if (fragment.length > TLS12_MAX_CIPHERTEXT) throw new TlsError('record_overflow', 'ciphertext over 2^14 + 2048 bytes');
    const overhead = this.explicitLength + aead.tagLength;
    if (fragment.length < overhead) throw new TlsError('bad_record_mac', 'record shorter than its nonce and tag');
    const plaintextLength = fragment.length - overhead;
    if (plaintextLength > MAX_PLAINTEXT) throw new TlsError('record_overflow', 'plaintext over 2^14 bytes');
    const stated = framing.seqNumOf(hdr);
    if (!stated) sequence.check();
    const seqNum = stated ?? sequence.bytes;
    const type = hdr[0]!;
    const nonce = this.nonces.for(this.explicitLength ? fragment.subarray(0, this.explicitLength) : seqNum);
    // The version as the record states it (TLSCompressed.version): a changed header fails authentication.
    const aad = additionalData(this.aad, seqNum, type, hdr[1]!, hdr[2]!, plaintextLength);
    const content = aead.open(nonce, fragment.subarray(this.explicitLength), aad);
    if (!content) throw new TlsError('bad_record_mac', 'record authentication failed');
    if (!stated) sequence.advance();
    return { type, content };
  }
}

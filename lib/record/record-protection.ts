/**
 * TLS 1.3 record protection (RFC 8446 §5.2, §5.3): the inner plaintext
 * (content || type || zero padding), the per-record nonce (IV xor sequence
 * number) and the AEAD with the record header as additional data.
 *
 * Per record the sealer builds header and inner plaintext in the record's
 * own buffer and copies the AEAD's output in after it, or, when the AEAD has
 * a record path (Aead.sealRecord: both built-in providers), passes on the
 * pieces it returns. The nonce buffer is reused for every record of a key.
 */
import type { Aead } from '../crypto/provider.js';
import type { OpenedRecord } from './protection.js';
import { TlsError } from '../errors.js';
import { concatBytes } from '../wire/codec.js';
import { MAX_CIPHERTEXT, MAX_PLAINTEXT, RECORD_HEADER_LENGTH } from './limits.js';
import { writeRecordHeader } from './record-header.js';

const APPLICATION_DATA = 23;
/**
 * The record buffer starts this many bytes into its ArrayBuffer, so that the
 * inner plaintext after the 5-byte header is 4-byte aligned (noble's
 * word-oriented AES-CTR then needs no aligned copy of it).
 */
const ALIGN_SLACK = 3;

/** The per-record nonce: the IV with the 64-bit sequence number xored into its last 8 bytes, big-endian. */
class NonceBuilder {
  private readonly nonce: Uint8Array;
  /** The IV's last 8 bytes as two big-endian words. */
  private readonly ivHigh: number;
  private readonly ivLow: number;

  constructor(iv: Uint8Array) {
    this.nonce = iv.slice();
    const n = iv.length;
    this.ivHigh = ((iv[n - 8]! << 24) | (iv[n - 7]! << 16) | (iv[n - 6]! << 8) | iv[n - 5]!) >>> 0;
    this.ivLow = ((iv[n - 4]! << 24) | (iv[n - 3]! << 16) | (iv[n - 2]! << 8) | iv[n - 1]!) >>> 0;
  }

  /** The nonce for `seq` (a safe integer), in a buffer reused by the next call. */
  for(seq: number): Uint8Array {
    const nonce = this.nonce;
    const n = nonce.length;
    const high = (this.ivHigh ^ Math.floor(seq / 0x1_0000_0000)) >>> 0;
    const low = (this.ivLow ^ seq) >>> 0; // ToInt32 keeps exactly the low 32 bits of seq
    nonce[n - 8] = high >>> 24;
    nonce[n - 7] = high >>> 16;
    nonce[n - 6] = high >>> 8;
    nonce[n - 5] = high;
    nonce[n - 4] = low >>> 24;
    nonce[n - 3] = low >>> 16;
    nonce[n - 2] = low >>> 8;
    nonce[n - 1] = low;
    return nonce;
  }
}

/**
 * Headers for records sealed in pieces, cut from shared slabs instead of a
 * 5-byte array each: arrays that small live on the V8 heap, and a transport
 * that needs an ArrayBuffer view of them (a node socket) moves each one
 * off-heap, an allocation per record. A slice is never handed out twice; a
 * full slab is left to the GC once the records using it are gone.
 */
class HeaderSlab {
  private slab = new Uint8Array(0);
  private used = 0;

  take(): Uint8Array {
    if (this.used + RECORD_HEADER_LENGTH > this.slab.length) {
      this.slab = new Uint8Array(4096 - (4096 % RECORD_HEADER_LENGTH));
      this.used = 0;
    }
    return this.slab.subarray(this.used, (this.used += RECORD_HEADER_LENGTH));
  }
}
const headers = new HeaderSlab();

/** Protects outgoing records under one traffic key. */
export class RecordSealer {
  /** Records sealed under this key so far (the next sequence number). */
  seq = 0;
  private readonly nonces: NonceBuilder;

  constructor(private readonly aead: Aead, iv: Uint8Array, readonly limit: number) {
    this.nonces = new NonceBuilder(iv);
  }

  get exhausted(): boolean {
    return this.seq >= this.limit;
  }

  /** Returns the whole record (header included) in one buffer. */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    const pieces = this.sealPieces(type, content, padding);
    return pieces.length === 1 ? pieces[0]! : concatBytes(...pieces);
  }

  /**
   * The record as pieces to write in order, without joining what the AEAD
   * returned separately (Aead.sealRecord); one piece when it has no such path.
   */
  sealPieces(type: number, content: Uint8Array, padding = 0): Uint8Array[] {
    if (content.length + padding > MAX_PLAINTEXT) throw new RangeError('record content and padding over 2^14 bytes');
    const innerLength = content.length + 1 + padding;
    const length = innerLength + this.aead.tagLength;
    const nonce = this.nonces.for(this.seq++);
    if (this.aead.sealRecord) {
      const trailer = new Uint8Array(1 + padding); // the padding is zero
      trailer[0] = type;
      return this.aead.sealRecord(nonce, writeRecordHeader(headers.take(), APPLICATION_DATA, length), content, trailer);
    }
    const buffer = new ArrayBuffer(ALIGN_SLACK + RECORD_HEADER_LENGTH + length);
    const record = new Uint8Array(buffer, ALIGN_SLACK, RECORD_HEADER_LENGTH + length);
    const hdr = writeRecordHeader(record.subarray(0, RECORD_HEADER_LENGTH), APPLICATION_DATA, length);
    const inner = new Uint8Array(buffer, ALIGN_SLACK + RECORD_HEADER_LENGTH, innerLength);
    inner.set(content);
    inner[content.length] = type; // the padding is already zero
    record.set(this.aead.seal(nonce, inner, hdr), RECORD_HEADER_LENGTH);
    return [record];
  }
}

/** Removes protection from incoming records under one traffic key. */
export class RecordOpener {
  seq = 0;
  private readonly nonces: NonceBuilder;

  constructor(private readonly aead: Aead, iv: Uint8Array) {
    this.nonces = new NonceBuilder(iv);
  }

  open(hdr: Uint8Array, fragment: Uint8Array): OpenedRecord {
    const opened = this.tryOpen(hdr, fragment);
    if (!opened) throw new TlsError('bad_record_mac', 'record authentication failed');
    return opened;
  }

  /**
   * Like open(), but a record that does not authenticate gives undefined and
   * leaves the sequence number alone: a server skipping early data it declined
   * (RFC 8446 §4.2.10) drops such records and tries the next one.
   */
  tryOpen(hdr: Uint8Array, fragment: Uint8Array): OpenedRecord | undefined {
    if (fragment.length > MAX_CIPHERTEXT) throw new TlsError('record_overflow', 'ciphertext too long');
    const inner = this.aead.open(this.nonces.for(this.seq), fragment, hdr);
    if (!inner) return undefined;
    this.seq++;
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw new TlsError('unexpected_message', 'record with no content type');
    if (end > MAX_PLAINTEXT) throw new TlsError('record_overflow', 'inner plaintext over 2^14 bytes');
    // The padding counts against a record_size_limit (RFC 8449 §4), so the whole inner length goes along.
    return { type: inner[end]!, content: inner.subarray(0, end), plaintextLength: inner.length };
  }
}

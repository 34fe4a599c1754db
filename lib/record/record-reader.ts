/**
 * Splits a byte stream into TLS records. Bytes arrive in arbitrary pieces
 * (one byte at a time in our specs); a record is returned once whole.
 */
import { TlsError } from '../errors.js';
import { MAX_CIPHERTEXT, RECORD_HEADER_LENGTH } from './limits.js';

export interface TlsRecord {
  type: number;
  version: number;
  /** The 5 header bytes: the additional data of a protected record. */
  header: Uint8Array;
  fragment: Uint8Array;
}

export class RecordReader {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;

  /** Bytes received but not yet returned as records. */
  get buffered(): number {
    return this.end - this.start;
  }

  feed(bytes: Uint8Array): void {
    if (this.end + bytes.length > this.buf.length) this.makeRoom(bytes.length);
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** The next complete record, or undefined until more bytes arrive. */
  next(): TlsRecord | undefined {
    if (this.buffered < RECORD_HEADER_LENGTH) return undefined;
    const b = this.buf;
    const s = this.start;
    const length = (b[s + 3]! << 8) | b[s + 4]!;
    if (length > MAX_CIPHERTEXT) throw new TlsError('record_overflow', `record of ${length} bytes`);
    if (this.buffered < RECORD_HEADER_LENGTH + length) return undefined;
    const header = b.slice(s, s + RECORD_HEADER_LENGTH);
    const fragment = b.slice(s + RECORD_HEADER_LENGTH, s + RECORD_HEADER_LENGTH + length);
    this.start += RECORD_HEADER_LENGTH + length;
    return { type: header[0]!, version: (header[1]! << 8) | header[2]!, header, fragment };
  }

  private makeRoom(extra: number): void {
    const live = this.buffered;
    const size = Math.max(live + extra, Math.min(this.buf.length * 2, 4 * MAX_CIPHERTEXT), 1024);
    const next = size > this.buf.length ? new Uint8Array(size) : this.buf;
    next.set(this.buf.subarray(this.start, this.end), 0);
    this.buf = next;
    this.start = 0;
    this.end = live;
  }
}

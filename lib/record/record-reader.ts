/**
 * Splits a byte stream into TLS records. Bytes arrive in arbitrary pieces
 * (one byte at a time in our specs); a record is returned once whole.
 *
 * No copies on the common path: a record that lies whole inside one piece
 * given to feed() is returned as views (subarrays) of that piece. Only a
 * record split over pieces is assembled, into a buffer of its own allocated
 * once its header is known; that buffer is never reused, so a returned record
 * never changes when more bytes arrive.
 *
 * Ownership: feed() keeps a reference to its argument (no copy) until next()
 * has returned undefined, which means every whole record was returned and the
 * bytes of an unfinished one were copied out. Records returned may be views
 * of bytes given to feed(): the caller must not modify those afterwards (the
 * Session never does; transports hand it fresh chunks).
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

function recordLength(header: Uint8Array, at: number): number {
  const length = (header[at + 3]! << 8) | header[at + 4]!;
  if (length > MAX_CIPHERTEXT) throw new TlsError('record_overflow', `record of ${length} bytes`);
  return length;
}

function toRecord(bytes: Uint8Array, at: number, length: number): TlsRecord {
  const header = bytes.subarray(at, at + RECORD_HEADER_LENGTH);
  const fragment = bytes.subarray(at + RECORD_HEADER_LENGTH, at + RECORD_HEADER_LENGTH + length);
  return { type: header[0]!, version: (header[1]! << 8) | header[2]!, header, fragment };
}

export class RecordReader {
  /** Pieces given to feed() and not yet consumed; the first from `offset` on. */
  private chunks: Uint8Array[] = [];
  private offset = 0;
  /** The first bytes of a header split over pieces. */
  private readonly head = new Uint8Array(RECORD_HEADER_LENGTH);
  private headFill = 0;
  /** A record split over pieces, being assembled (header included). */
  private partial?: Uint8Array;
  private partialFill = 0;
  private total = 0;

  /** Bytes received but not yet returned as records. */
  get buffered(): number {
    return this.total;
  }

  feed(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.chunks.push(bytes);
    this.total += bytes.length;
  }

  /** The next complete record, or undefined until more bytes arrive. */
  next(): TlsRecord | undefined {
    while (this.chunks.length) {
      const chunk = this.chunks[0]!;
      const at = this.offset;
      const available = chunk.length - at;
      if (this.partial) {
        // Continue the record being assembled.
        const take = Math.min(available, this.partial.length - this.partialFill);
        this.partial.set(chunk.subarray(at, at + take), this.partialFill);
        this.partialFill += take;
        this.consume(take);
        if (this.partialFill === this.partial.length) return this.finishPartial();
        continue;
      }
      if (this.headFill > 0 || available < RECORD_HEADER_LENGTH) {
        // A header split over pieces: collect its bytes first.
        const take = Math.min(available, RECORD_HEADER_LENGTH - this.headFill);
        this.head.set(chunk.subarray(at, at + take), this.headFill);
        this.headFill += take;
        this.consume(take);
        if (this.headFill < RECORD_HEADER_LENGTH) continue;
        const length = recordLength(this.head, 0);
        this.partial = new Uint8Array(RECORD_HEADER_LENGTH + length);
        this.partial.set(this.head);
        this.partialFill = RECORD_HEADER_LENGTH;
        this.headFill = 0;
        if (length === 0) return this.finishPartial();
        continue;
      }
      const length = recordLength(chunk, at);
      if (available >= RECORD_HEADER_LENGTH + length) {
        // Whole inside this piece: views, no copy.
        this.consume(RECORD_HEADER_LENGTH + length);
        this.total -= RECORD_HEADER_LENGTH + length;
        return toRecord(chunk, at, length);
      }
      // Starts here, ends in a later piece: assemble it in a buffer of its own.
      this.partial = new Uint8Array(RECORD_HEADER_LENGTH + length);
      this.partial.set(chunk.subarray(at));
      this.partialFill = available;
      this.consume(available);
    }
    return undefined;
  }

  private finishPartial(): TlsRecord {
    const record = this.partial!;
    this.partial = undefined;
    this.partialFill = 0;
    this.total -= record.length;
    return toRecord(record, 0, record.length - RECORD_HEADER_LENGTH);
  }

  /** Advances past `n` bytes of the first piece, dropping it once used up. */
  private consume(n: number): void {
    this.offset += n;
    if (this.offset === this.chunks[0]!.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }
}

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

/** change_cipher_spec, alert, handshake, application_data: the content types of RFC 8446 §5.1. */
const FIRST_CONTENT_TYPE = 20;
const LAST_CONTENT_TYPE = 23;

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

/**
 * Checks the first `n` (1 to 5) header bytes at `at` as soon as they are
 * there, so that a peer that does not speak TLS is refused at once instead of
 * after the record length its bytes happen to spell (an HTTP request's "GET "
 * announces 8,239 bytes; an SSL 2.0 hello's 0x80 0x2e is read as 772):
 *  - `first` (no byte of the stream consumed before): a byte with the high
 *    bit set starts an SSL 2.0 record, and the only such record a peer sends
 *    first is an SSL 2.0 ClientHello: protocol_version (what OpenSSL answers);
 *  - a content type outside change_cipher_spec..application_data (20..23):
 *    unexpected_message (RFC 8446 §5);
 *  - a record version outside {03,XX}: protocol_version (RFC 8446 §5.1 lets
 *    any 3.x stand, Appendix E.5 says no version below 0x0300 is accepted).
 */
function checkHeader(bytes: Uint8Array, at: number, n: number, first: boolean): void {
  const type = bytes[at]!;
  if (first && type & 0x80) throw new TlsError('protocol_version', 'an SSL 2.0 record (SSL 2.0 ClientHello): not supported');
  if (type < FIRST_CONTENT_TYPE || type > LAST_CONTENT_TYPE) {
    throw new TlsError('unexpected_message', `record content type ${type}${first ? ': the peer does not speak TLS' : ''}`);
  }
  if (n >= 2 && bytes[at + 1] !== 0x03) throw new TlsError('protocol_version', `record version ${bytes[at + 1]}.${n >= 3 ? bytes[at + 2] : 'x'}`);
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
  /** No byte of the stream has been consumed yet: the next header is the peer's first. */
  private first = true;

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
        checkHeader(this.head, 0, this.headFill + take, this.first);
        this.headFill += take;
        this.first = false;
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
      checkHeader(chunk, at, RECORD_HEADER_LENGTH, this.first);
      this.first = false;
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

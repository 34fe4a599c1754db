/**
 * Reassembles handshake messages from record fragments (RFC 8446 §5.1:
 * messages may span records and records may hold several messages). Key
 * changes are only allowed when this buffer is empty ("aligned").
 * The buffer grows by doubling, so a message sent one byte per record costs
 * linear, not quadratic, time.
 */
import { TlsError } from '../errors.js';
import { readHandshakeHeader } from '../wire/handshake-header.js';
import { MAX_HANDSHAKE_MESSAGE } from './limits.js';

/** The first allocation; buffers up to this size are kept when they empty. */
const MIN_CAPACITY = 256;

export interface RawHandshake {
  type: number;
  body: Uint8Array;
  /** Header and body: what goes into the transcript hash. */
  raw: Uint8Array;
}

export class HandshakeBuffer {
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;

  get empty(): boolean {
    return this.start === this.end;
  }

  add(fragment: Uint8Array): void {
    if (fragment.length === 0) throw new TlsError('unexpected_message', 'empty handshake record');
    if (this.end + fragment.length > this.buf.length) this.makeRoom(fragment.length);
    this.buf.set(fragment, this.end);
    this.end += fragment.length;
  }

  /**
   * The next whole message, or undefined until more arrives. `checkHeader`
   * sees the type and announced body length of the message at the front as
   * soon as its 4-byte header is in, before any of its body is waited for: it
   * throws to refuse a message the receiver would not take or that is too long.
   */
  next(checkHeader?: (type: number, length: number) => void): RawHandshake | undefined {
    const available = this.end - this.start;
    if (available < 4) return undefined;
    const b = this.buf;
    const s = this.start;
    const length = this.frontLength();
    if (length > MAX_HANDSHAKE_MESSAGE) throw new TlsError('illegal_parameter', `handshake message of ${length} bytes`);
    checkHeader?.(b[s]!, length);
    if (available < 4 + length) return undefined;
    const raw = b.slice(s, s + 4 + length);
    this.start += 4 + length;
    if (this.start === this.end) this.release();
    return { type: raw[0]!, body: raw.subarray(4), raw };
  }

  /** Throws unless the buffer is empty: a key change must fall on a record boundary. */
  requireAligned(): void {
    if (!this.empty) throw new TlsError('unexpected_message', 'key change with a partial handshake message buffered');
  }

  /**
   * Empty again: start over at the front, and let a grown buffer go. A
   * handshake flight (the server's certificate chain) grows it to kilobytes,
   * which an idle connection would otherwise keep for its whole life; the
   * few messages after the handshake (tickets, KeyUpdate) are small.
   */
  private release(): void {
    this.start = this.end = 0;
    if (this.buf.length > MIN_CAPACITY) this.buf = new Uint8Array(0);
  }

  /** The body length announced by the message at the front (its header must be in). */
  private frontLength(): number {
    return readHandshakeHeader(this.buf, this.start, 'tls')!.length;
  }

  /**
   * Doubles (linear time for a message sent in small records), but never past
   * the end of the message at the front once its header is known: a message
   * of n bytes costs at most n + 4 bytes of buffer, not up to twice that.
   */
  private makeRoom(extra: number): void {
    const live = this.end - this.start;
    const whole = live >= 4 ? 4 + Math.min(this.frontLength(), MAX_HANDSHAKE_MESSAGE) : Infinity;
    const size = Math.max(live + extra, Math.min(this.buf.length * 2, whole), MIN_CAPACITY);
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(this.start, this.end));
    this.buf = next;
    this.start = 0;
    this.end = live;
  }
}

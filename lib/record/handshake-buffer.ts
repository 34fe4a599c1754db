/**
 * Reassembles handshake messages from record fragments (RFC 8446 §5.1:
 * messages may span records and records may hold several messages). Key
 * changes are only allowed when this buffer is empty ("aligned").
 */
import { TlsError } from '../errors.js';
import { MAX_HANDSHAKE_MESSAGE } from './limits.js';

export interface RawHandshake {
  type: number;
  body: Uint8Array;
  /** Header and body: what goes into the transcript hash. */
  raw: Uint8Array;
}

export class HandshakeBuffer {
  private buf = new Uint8Array(0);

  get empty(): boolean {
    return this.buf.length === 0;
  }

  add(fragment: Uint8Array): void {
    if (fragment.length === 0) throw new TlsError('unexpected_message', 'empty handshake record');
    const next = new Uint8Array(this.buf.length + fragment.length);
    next.set(this.buf);
    next.set(fragment, this.buf.length);
    this.buf = next;
  }

  next(): RawHandshake | undefined {
    if (this.buf.length < 4) return undefined;
    const length = (this.buf[1]! << 16) | (this.buf[2]! << 8) | this.buf[3]!;
    if (length > MAX_HANDSHAKE_MESSAGE) throw new TlsError('illegal_parameter', `handshake message of ${length} bytes`);
    if (this.buf.length < 4 + length) return undefined;
    const raw = this.buf.slice(0, 4 + length);
    this.buf = this.buf.slice(4 + length);
    return { type: raw[0]!, body: raw.subarray(4), raw };
  }

  /** Throws unless the buffer is empty: a key change must fall on a record boundary. */
  requireAligned(): void {
    if (!this.empty) throw new TlsError('unexpected_message', 'key change with a partial handshake message buffered');
  }
}

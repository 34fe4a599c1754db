/**
 * TLS 1.3 record protection (RFC 8446 §5.2, §5.3): the inner plaintext
 * (content || type || zero padding), the per-record nonce (IV xor sequence
 * number) and the AEAD with the record header as additional data.
 */
import type { Aead } from '../crypto/provider.js';
import { TlsError } from '../errors.js';
import { MAX_CIPHERTEXT, MAX_PLAINTEXT, RECORD_HEADER_LENGTH } from './limits.js';

const APPLICATION_DATA = 23;

function nonceFor(iv: Uint8Array, seq: number): Uint8Array {
  const nonce = iv.slice();
  // The 64-bit sequence number is xored into the last 8 bytes, big-endian.
  let s = seq;
  for (let i = nonce.length - 1; i >= nonce.length - 8 && s > 0; i--) {
    nonce[i]! ^= s % 256;
    s = Math.floor(s / 256);
  }
  return nonce;
}

function header(length: number): Uint8Array {
  return Uint8Array.of(APPLICATION_DATA, 0x03, 0x03, length >>> 8, length & 0xff);
}

/** Protects outgoing records under one traffic key. */
export class RecordSealer {
  /** Records sealed under this key so far (the next sequence number). */
  seq = 0;
  constructor(private readonly aead: Aead, private readonly iv: Uint8Array, readonly limit: number) {}

  get exhausted(): boolean {
    return this.seq >= this.limit;
  }

  /** Returns the whole record (header included). */
  seal(type: number, content: Uint8Array, padding = 0): Uint8Array {
    if (content.length + padding > MAX_PLAINTEXT) throw new RangeError('record content and padding over 2^14 bytes');
    const inner = new Uint8Array(content.length + 1 + padding);
    inner.set(content);
    inner[content.length] = type;
    const hdr = header(inner.length + this.aead.tagLength);
    const sealed = this.aead.seal(nonceFor(this.iv, this.seq++), inner, hdr);
    const record = new Uint8Array(RECORD_HEADER_LENGTH + sealed.length);
    record.set(hdr);
    record.set(sealed, RECORD_HEADER_LENGTH);
    return record;
  }
}

/** Removes protection from incoming records under one traffic key. */
export class RecordOpener {
  seq = 0;
  constructor(private readonly aead: Aead, private readonly iv: Uint8Array) {}

  open(hdr: Uint8Array, fragment: Uint8Array): { type: number; content: Uint8Array } {
    if (fragment.length > MAX_CIPHERTEXT) throw new TlsError('record_overflow', 'ciphertext too long');
    const inner = this.aead.open(nonceFor(this.iv, this.seq), fragment, hdr);
    if (!inner) throw new TlsError('bad_record_mac', 'record authentication failed');
    this.seq++;
    let end = inner.length - 1;
    while (end >= 0 && inner[end] === 0) end--;
    if (end < 0) throw new TlsError('unexpected_message', 'record with no content type');
    if (end > MAX_PLAINTEXT) throw new TlsError('record_overflow', 'inner plaintext over 2^14 bytes');
    return { type: inner[end]!, content: inner.subarray(0, end) };
  }
}

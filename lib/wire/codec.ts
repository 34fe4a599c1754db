/**
 * Bounds-checked Reader and growable Writer for TLS presentation-language
 * encodings. Every read checks the remaining length and throws
 * TlsError('decode_error') instead of reading past the end.
 */
import { decodeError } from '../errors.js';

export class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array, private readonly what = 'message') {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }
  get offset(): number {
    return this.pos;
  }
  atEnd(): boolean {
    return this.pos === this.buf.length;
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = (this.buf[this.pos]! << 8) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return v;
  }
  u24(): number {
    this.need(3);
    const v = (this.buf[this.pos]! << 16) | (this.buf[this.pos + 1]! << 8) | this.buf[this.pos + 2]!;
    this.pos += 3;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.buf[this.pos]! * 0x1000000 + ((this.buf[this.pos + 1]! << 16) | (this.buf[this.pos + 2]! << 8) | this.buf[this.pos + 3]!);
    this.pos += 4;
    return v;
  }
  u48(): number {
    const hi = this.u16();
    return hi * 0x100000000 + this.u32();
  }
  /** A view of the next n bytes (no copy). */
  bytes(n: number): Uint8Array {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  rest(): Uint8Array {
    return this.bytes(this.remaining);
  }
  /** A length-prefixed opaque vector with the length in `lenBytes` bytes, checked against [min, max]. */
  vec(lenBytes: 1 | 2 | 3, min = 0, max = Infinity): Uint8Array {
    const n = this.len(lenBytes);
    if (n < min || n > max) throw decodeError(`${this.what}: vector length ${n} outside [${min}, ${max}]`);
    return this.bytes(n);
  }
  /** A Reader over a length-prefixed sub-structure. */
  sub(lenBytes: 1 | 2 | 3, min = 0, max = Infinity): Reader {
    return new Reader(this.vec(lenBytes, min, max), this.what);
  }
  /** Throws unless every byte was consumed. */
  end(): void {
    if (this.pos !== this.buf.length) throw decodeError(`${this.what}: ${this.remaining} trailing bytes`);
  }

  private len(lenBytes: 1 | 2 | 3): number {
    return lenBytes === 1 ? this.u8() : lenBytes === 2 ? this.u16() : this.u24();
  }
  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw decodeError(`${this.what}: truncated`);
  }
}

export class Writer {
  private buf: Uint8Array;
  private pos = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(Math.max(1, initial));
  }

  get length(): number {
    return this.pos;
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u16(v: number): this {
    this.grow(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u24(v: number): this {
    this.grow(3);
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u32(v: number): this {
    this.grow(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
    return this;
  }
  u48(v: number): this {
    this.u16(Math.floor(v / 0x100000000));
    return this.u32(v >>> 0);
  }
  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  /** Writes `b` with a length prefix of `lenBytes` bytes. */
  vec(lenBytes: 1 | 2 | 3, b: Uint8Array): this {
    this.len(lenBytes, b.length);
    return this.bytes(b);
  }
  /** Writes a length-prefixed structure built by `body`. */
  nested(lenBytes: 1 | 2 | 3, body: (w: Writer) => void): this {
    const start = this.pos;
    this.len(lenBytes, 0);
    body(this);
    const n = this.pos - start - lenBytes;
    const max = lenBytes === 1 ? 0xff : lenBytes === 2 ? 0xffff : 0xffffff;
    if (n > max) throw new RangeError(`vector of ${n} bytes does not fit a ${lenBytes}-byte length`);
    for (let i = 0; i < lenBytes; i++) this.buf[start + i] = (n >>> (8 * (lenBytes - 1 - i))) & 0xff;
    return this;
  }
  /** The bytes written so far (a copy-free view while no further writes happen). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  private len(lenBytes: 1 | 2 | 3, n: number): void {
    if (n >= 2 ** (8 * lenBytes)) throw new RangeError(`vector of ${n} bytes does not fit a ${lenBytes}-byte length`);
    if (lenBytes === 1) this.u8(n);
    else if (lenBytes === 2) this.u16(n);
    else this.u24(n);
  }
  private grow(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const utf8 = {
  encode: (s: string) => new TextEncoder().encode(s),
  decode: (b: Uint8Array) => new TextDecoder('utf-8', { fatal: true }).decode(b),
};

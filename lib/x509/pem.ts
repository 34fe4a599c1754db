/**
 * PEM (RFC 7468) <-> DER. Strict about the parts that matter (matching
 * BEGIN/END labels, clean base64, no encrypted-PEM headers) and lenient about
 * what RFC 7468 allows (text between blocks, CRLF, surrounding whitespace).
 * Linear time; every failure is a TlsError('decode_error').
 */
import { TlsError } from '../errors.js';

export interface PemBlock {
  readonly label: string;
  readonly der: Uint8Array;
}

/** Far above any certificate bundle we expect; bounds work on hostile input. */
const MAX_PEM_LENGTH = 16 * 1024 * 1024;

const BEGIN = /^-----BEGIN ([A-Z0-9][A-Z0-9 ]{0,63})-----$/;
const END = /^-----END ([A-Z0-9][A-Z0-9 ]{0,63})-----$/;

const fail = (msg: string) => new TlsError('decode_error', `PEM: ${msg}`);

/** Decodes every PEM block in `text`, in order. Throws if there is none. */
export function decodePem(text: string): PemBlock[] {
  if (typeof text !== 'string') throw fail('input is not a string');
  if (text.length > MAX_PEM_LENGTH) throw fail('input too large');
  const blocks: PemBlock[] = [];
  let label: string | undefined;
  let body: string[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (label === undefined) {
      const m = BEGIN.exec(line);
      if (m) {
        label = m[1]!;
        body = [];
      } else if (line.startsWith('-----END')) {
        throw fail('END line without BEGIN');
      }
      continue; // explanatory text outside blocks is allowed
    }
    if (line.startsWith('-----')) {
      const m = END.exec(line);
      if (!m || m[1] !== label) throw fail(`expected "-----END ${label}-----"`);
      blocks.push({ label, der: base64Decode(body.join('')) });
      label = undefined;
      continue;
    }
    // RFC 1421 headers (Proc-Type, DEK-Info) mean an encrypted legacy key.
    if (line.includes(':')) throw fail(`encrypted or header-carrying PEM (${label}) is not supported`);
    body.push(line);
  }
  if (label !== undefined) throw fail(`missing "-----END ${label}-----"`);
  if (blocks.length === 0) throw fail('no PEM block found');
  return blocks;
}

/** The DER of every block with the given label (e.g. all certificates of a bundle). */
export function decodePemLabel(text: string, label: string): Uint8Array[] {
  const ders = decodePem(text)
    .filter((b) => b.label === label)
    .map((b) => b.der);
  if (ders.length === 0) throw fail(`no "${label}" block found`);
  return ders;
}

/** Encodes DER as PEM with 64-column base64 lines. */
export function encodePem(label: string, der: Uint8Array): string {
  if (!/^[A-Z0-9][A-Z0-9 ]{0,63}$/.test(label)) throw fail(`invalid label "${label}"`);
  const b64 = base64Encode(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}${lines.length ? '\n' : ''}-----END ${label}-----\n`;
}

/** True when `data` looks like PEM text rather than DER (DER starts with a tag byte, never '-'). */
export function isPem(data: string | Uint8Array): boolean {
  if (typeof data === 'string') return true;
  // Skip leading whitespace, then look for "-----BEGIN".
  let i = 0;
  while (i < data.length && (data[i] === 0x20 || data[i] === 0x0a || data[i] === 0x0d || data[i] === 0x09)) i++;
  const marker = '-----BEGIN';
  if (data.length - i < marker.length) return false;
  for (let j = 0; j < marker.length; j++) if (data[i + j] !== marker.charCodeAt(j)) return false;
  return true;
}

/** Bytes to text for PEM given as Uint8Array; rejects non-ASCII (PEM is ASCII). */
export function pemText(data: string | Uint8Array): string {
  if (typeof data === 'string') return data;
  if (data.length > MAX_PEM_LENGTH) throw fail('input too large');
  let s = '';
  for (let i = 0; i < data.length; i += 8192) {
    const chunk = data.subarray(i, i + 8192);
    for (const b of chunk) if (b > 0x7e) throw fail('non-ASCII byte in PEM');
    s += String.fromCharCode(...chunk);
  }
  return s;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

/** Strict base64: whole quanta, padding only at the end, zero unused bits (so encoding is unique). */
export function base64Decode(text: string): Uint8Array {
  const s = text.replace(/[ \t\r]/g, '');
  if (s.length % 4 !== 0) throw fail('base64 length is not a multiple of 4');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j);
      const isPad = c === 0x3d && i + 4 === s.length && j >= 4 - pad;
      const v = isPad ? 0 : c < 128 ? DECODE[c]! : -1;
      if (v < 0) throw fail('invalid base64 character');
      n = (n << 6) | v;
    }
    if (i + 4 === s.length && pad > 0 && (n & (pad === 2 ? 0xffff : 0xff)) !== 0) {
      throw fail('non-zero base64 padding bits');
    }
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

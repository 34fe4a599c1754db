/**
 * TLS 1.3 handshake messages (RFC 8446 §4): framing and bodies. Decoders are
 * strict: every length is bounded and every byte must be consumed.
 */
import { decodeError, illegalParameter, unexpectedMessage } from '../errors.js';
import { Reader, Writer } from './codec.js';
import { HandshakeType as HT } from './enums.js';
import { type Extension, readExtensions, writeExtensions } from './extension.js';

export interface ClientHello {
  type: typeof HT.client_hello;
  legacyVersion: number;
  random: Uint8Array;
  sessionId: Uint8Array;
  cipherSuites: number[];
  compressionMethods: Uint8Array;
  extensions: Extension[];
  /**
   * True when the hello ends after compression_methods, with no extensions
   * block at all (a pre-TLS 1.3 hello, RFC 8446 §4.1.2); `extensions` is then
   * empty, and encoding writes no block either, so the message re-encodes to
   * the bytes it was decoded from.
   */
  extensionsOmitted?: boolean;
}

/** ServerHello and HelloRetryRequest share this shape (HRR has the special random). */
export interface ServerHello {
  type: typeof HT.server_hello;
  legacyVersion: number;
  random: Uint8Array;
  sessionIdEcho: Uint8Array;
  cipherSuite: number;
  compressionMethod: number;
  extensions: Extension[];
}

export interface EncryptedExtensions {
  type: typeof HT.encrypted_extensions;
  extensions: Extension[];
}

export interface CertificateEntry {
  data: Uint8Array;
  extensions: Extension[];
}

export interface Certificate {
  type: typeof HT.certificate;
  context: Uint8Array;
  entries: CertificateEntry[];
}

export interface CertificateRequest {
  type: typeof HT.certificate_request;
  context: Uint8Array;
  extensions: Extension[];
}

export interface CertificateVerify {
  type: typeof HT.certificate_verify;
  scheme: number;
  signature: Uint8Array;
}

export interface Finished {
  type: typeof HT.finished;
  verifyData: Uint8Array;
}

export interface NewSessionTicket {
  type: typeof HT.new_session_ticket;
  lifetime: number;
  ageAdd: number;
  nonce: Uint8Array;
  ticket: Uint8Array;
  extensions: Extension[];
}

/** RFC 8446 §4.5: ends the client's 0-RTT data; an empty body. */
export interface EndOfEarlyData {
  type: typeof HT.end_of_early_data;
}

export interface KeyUpdate {
  type: typeof HT.key_update;
  updateRequested: boolean;
}

export type HandshakeMessage =
  | ClientHello
  | ServerHello
  | EncryptedExtensions
  | Certificate
  | CertificateRequest
  | CertificateVerify
  | Finished
  | NewSessionTicket
  | EndOfEarlyData
  | KeyUpdate;

/** "HelloRetryRequest" is a ServerHello with this random (SHA-256 of the string). */
export const HRR_RANDOM = Uint8Array.from([
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
]);

/** Encodes one message with its 4-byte handshake header. */
export function encodeHandshake(msg: HandshakeMessage): Uint8Array {
  const w = new Writer(512);
  w.u8(msg.type);
  w.nested(3, (b) => writeBody(b, msg));
  return w.finish().slice();
}

function writeBody(w: Writer, m: HandshakeMessage): void {
  switch (m.type) {
    case HT.client_hello:
      w.u16(m.legacyVersion).bytes(m.random).vec(1, m.sessionId);
      w.nested(2, (l) => m.cipherSuites.forEach((s) => l.u16(s)));
      w.vec(1, m.compressionMethods);
      if (!m.extensionsOmitted) return writeExtensions(w, m.extensions);
      if (m.extensions.length) throw new RangeError('ClientHello with extensions but extensionsOmitted');
      return;
    case HT.server_hello:
      w.u16(m.legacyVersion).bytes(m.random).vec(1, m.sessionIdEcho).u16(m.cipherSuite).u8(m.compressionMethod);
      return writeExtensions(w, m.extensions);
    case HT.encrypted_extensions:
      return writeExtensions(w, m.extensions);
    case HT.certificate:
      w.vec(1, m.context);
      w.nested(3, (l) => m.entries.forEach((e) => (l.vec(3, e.data), writeExtensions(l, e.extensions))));
      return;
    case HT.certificate_request:
      w.vec(1, m.context);
      return writeExtensions(w, m.extensions);
    case HT.certificate_verify:
      w.u16(m.scheme).vec(2, m.signature);
      return;
    case HT.finished:
      w.bytes(m.verifyData);
      return;
    case HT.new_session_ticket:
      w.u32(m.lifetime).u32(m.ageAdd).vec(1, m.nonce).vec(2, m.ticket);
      return writeExtensions(w, m.extensions);
    case HT.key_update:
      w.u8(m.updateRequested ? 1 : 0);
      return;
    case HT.end_of_early_data:
      return;
  }
}

/** Decodes a message body of the given type. `hashLength` sizes Finished. */
export function decodeHandshake(type: number, body: Uint8Array, hashLength: number): HandshakeMessage {
  const r = new Reader(body, `handshake ${type}`);
  const msg = readBody(type, r, hashLength);
  r.end();
  return msg;
}

function readBody(type: number, r: Reader, hashLength: number): HandshakeMessage {
  switch (type) {
    case HT.client_hello:
      return readClientHello(r);
    case HT.server_hello:
      return {
        type,
        legacyVersion: r.u16(),
        random: r.bytes(32),
        sessionIdEcho: r.vec(1, 0, 32),
        cipherSuite: r.u16(),
        compressionMethod: r.u8(),
        extensions: readExtensions(r),
      };
    case HT.encrypted_extensions:
      return { type, extensions: readExtensions(r) };
    case HT.certificate:
      return readCertificate(r);
    case HT.certificate_request:
      return { type, context: r.vec(1), extensions: readExtensions(r) };
    case HT.certificate_verify:
      return { type, scheme: r.u16(), signature: r.vec(2, 1) };
    case HT.finished:
      return { type, verifyData: r.bytes(hashLength) };
    case HT.new_session_ticket:
      return {
        type,
        lifetime: r.u32(),
        ageAdd: r.u32(),
        nonce: r.vec(1),
        ticket: r.vec(2, 1),
        extensions: readExtensions(r),
      };
    case HT.end_of_early_data:
      return { type };
    case HT.key_update: {
      const v = r.u8();
      if (v > 1) throw illegalParameter('key_update: bad request_update value');
      return { type, updateRequested: v === 1 };
    }
    default:
      throw unexpectedMessage(`handshake message type ${type}`);
  }
}

function readClientHello(r: Reader): ClientHello {
  const legacyVersion = r.u16();
  const random = r.bytes(32);
  const sessionId = r.vec(1, 0, 32);
  const suites = r.sub(2, 2);
  if (suites.remaining % 2) throw decodeError('client_hello: odd cipher_suites length');
  const cipherSuites: number[] = [];
  while (!suites.atEnd()) cipherSuites.push(suites.u16());
  const compressionMethods = r.vec(1, 1);
  // Only pre-TLS 1.3 hellos may end here (no extensions block): kept apart from an empty block.
  if (r.atEnd()) return { type: 1, legacyVersion, random, sessionId, cipherSuites, compressionMethods, extensions: [], extensionsOmitted: true };
  return { type: 1, legacyVersion, random, sessionId, cipherSuites, compressionMethods, extensions: readExtensions(r) };
}

function readCertificate(r: Reader): Certificate {
  const context = r.vec(1);
  const list = r.sub(3);
  const entries: CertificateEntry[] = [];
  while (!list.atEnd()) entries.push({ data: list.vec(3, 1), extensions: readExtensions(list) });
  return { type: 11, context, entries };
}

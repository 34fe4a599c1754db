/**
 * TLS 1.2 handshake message bodies that differ from TLS 1.3's (RFC 5246
 * §7.4, RFC 8422 §5 for ECDHE, RFC 5077 §3.3 for NewSessionTicket).
 * ClientHello and ServerHello have one shape for both versions and come from
 * handshake.ts; so do the types CertificateVerify (scheme + signature, the
 * TLS 1.2 DigitallySigned) and Finished (opaque verify_data).
 *
 * Everything here is a message *body*: the 4-byte (TLS) or 12-byte (DTLS)
 * header is handshake-header.ts's. Decoders are strict like handshake.ts's:
 * every length is bounded, every byte must be consumed, and a malformed body
 * is TlsError decode_error. Decoded byte fields are views into the input (no
 * copies), as in handshake.ts. A body that decodes re-encodes to the same bytes.
 *
 * Alerts chosen where the RFCs leave room:
 * - ServerKeyExchange with curve_type explicit_prime(1) or explicit_char2(2):
 *   illegal_parameter. The syntax is known but RFC 8422 §5.4 deprecates it
 *   and we refuse it (RFC 8422 would also allow handshake_failure, "unsupported").
 *   Any other curve_type but named_curve(3) cannot be parsed at all: decode_error.
 * - Finished whose length is not the suite's verify_data_length: decode_error.
 * - An empty signature is well-formed (`signature<0..2^16-1>`, RFC 5246 §4.7)
 *   and decodes; verifying it fails later (decrypt_error). TLS 1.3's
 *   CertificateVerify decoder (handshake.ts) refuses it at decode time instead.
 * Whether a named group, scheme or certificate type is acceptable is for the
 * handshake states to decide, not for these codecs.
 */
import { decodeError, illegalParameter, unexpectedMessage } from '../errors.js';
import { Reader, Writer, concatBytes } from './codec.js';
import { HandshakeType as HT } from './enums.js';
import type { CertificateVerify, Finished } from './handshake.js';
import { encodeHandshakeHeader } from './handshake-header.js';
import { EcCurveType, Tls12HandshakeType as HT12 } from './tls12-enums.js';

export type { CertificateVerify, Finished } from './handshake.js';

/**
 * The key exchange a ServerKeyExchange / ClientKeyExchange body is read for:
 * the bodies are not self-describing, the negotiated suite says which shape
 * to expect (lib/tls12/decode-options.ts). Named as lib/tls12/suites.ts's
 * KeyExchange: 'ecdhe' (RFC 8422 §5), 'psk' (RFC 4279 §2), 'ecdhe_psk' (RFC 5489 §2).
 */
export type Tls12KeyExchange = 'ecdhe' | 'psk' | 'ecdhe_psk';

/** ServerECDHParams (RFC 8422 §5.4) with curve_type named_curve, the only type we read or write. */
export interface ServerEcdhParams {
  /** NamedGroup (enums.ts NamedGroupCode). */
  group: number;
  /** ECPoint: the server's ephemeral public value, `opaque point<1..2^8-1>`. */
  point: Uint8Array;
}

/**
 * ServerKeyExchange for ECDHE_ECDSA / ECDHE_RSA (RFC 8422 §5.4): the
 * ephemeral public value and a TLS 1.2 DigitallySigned over
 * client_random || server_random || params (see `ecdheSignedContent`).
 */
export interface EcdheServerKeyExchange {
  type: typeof HT12.server_key_exchange;
  kx: 'ecdhe';
  params: ServerEcdhParams;
  /** SignatureAndHashAlgorithm as one u16, the code space of TLS 1.3's SignatureScheme (enums.ts). */
  scheme: number;
  signature: Uint8Array;
}

/** ServerKeyExchange for PSK (RFC 4279 §2): only the identity hint, `opaque psk_identity_hint<0..2^16-1>`. */
export interface PskServerKeyExchange {
  type: typeof HT12.server_key_exchange;
  kx: 'psk';
  pskIdentityHint: Uint8Array;
}

/** ServerKeyExchange for ECDHE_PSK (RFC 5489 §2): the identity hint, then ServerECDHParams; no signature (the PSK authenticates). */
export interface EcdhePskServerKeyExchange {
  type: typeof HT12.server_key_exchange;
  kx: 'ecdhe_psk';
  pskIdentityHint: Uint8Array;
  params: ServerEcdhParams;
}

/** One variant per key exchange. */
export type ServerKeyExchange = EcdheServerKeyExchange | PskServerKeyExchange | EcdhePskServerKeyExchange;

/** ClientKeyExchange for ECDHE (RFC 8422 §5.7): the client's ephemeral public value, explicit encoding. */
export interface EcdheClientKeyExchange {
  type: typeof HT12.client_key_exchange;
  kx: 'ecdhe';
  /** `opaque point<1..2^8-1>`. */
  point: Uint8Array;
}

/** ClientKeyExchange for PSK (RFC 4279 §2): the identity, `opaque psk_identity<0..2^16-1>`. */
export interface PskClientKeyExchange {
  type: typeof HT12.client_key_exchange;
  kx: 'psk';
  pskIdentity: Uint8Array;
}

/** ClientKeyExchange for ECDHE_PSK (RFC 5489 §2): the identity, then the client's ephemeral public value. */
export interface EcdhePskClientKeyExchange {
  type: typeof HT12.client_key_exchange;
  kx: 'ecdhe_psk';
  pskIdentity: Uint8Array;
  /** `opaque point<1..2^8-1>`. */
  point: Uint8Array;
}

export type ClientKeyExchange = EcdheClientKeyExchange | PskClientKeyExchange | EcdhePskClientKeyExchange;

/** CertificateRequest (RFC 5246 §7.4.4): no request context, no extensions, unlike TLS 1.3's. */
export interface Tls12CertificateRequest {
  type: typeof HT.certificate_request;
  /** ClientCertificateType values (tls12-enums.ts), `<1..2^8-1>`. */
  certificateTypes: number[];
  /** SignatureAndHashAlgorithm values as u16, `<2..2^16-2>` bytes. */
  signatureAlgorithms: number[];
  /** DER DistinguishedNames, each `<1..2^16-1>`, the list `<0..2^16-1>` bytes. */
  certificateAuthorities: Uint8Array[];
}

/**
 * Certificate (RFC 5246 §7.4.2): DER certificates, sender's first; no context, no per-entry extensions.
 * With a raw public key negotiated (RFC 7250 §3) the body is instead one
 * `opaque ASN.1_subjectPublicKeyInfo<1..2^24-1>`, no list around it: then
 * `rawPublicKey` is true and `certificates` holds that one SubjectPublicKeyInfo.
 */
export interface Tls12Certificate {
  type: typeof HT.certificate;
  /** Each `ASN.1Cert<1..2^24-1>`, the list `<0..2^24-1>` bytes (empty: a client without a certificate). */
  certificates: Uint8Array[];
  /** The RFC 7250 form: one SubjectPublicKeyInfo. The body does not say so: the negotiated certificate type does. */
  rawPublicKey?: boolean;
}

/** ServerHelloDone (RFC 5246 §7.4.5): an empty body. */
export interface ServerHelloDone {
  type: typeof HT12.server_hello_done;
}

/** HelloRequest (RFC 5246 §7.4.1.1): an empty body. */
export interface HelloRequest {
  type: typeof HT12.hello_request;
}

/** NewSessionTicket (RFC 5077 §3.3). */
export interface Tls12NewSessionTicket {
  type: typeof HT.new_session_ticket;
  /** Seconds; 0 means unspecified. */
  lifetimeHint: number;
  /** `opaque ticket<0..2^16-1>`; empty when the server decided not to issue one after all. */
  ticket: Uint8Array;
}

/** The TLS 1.2 messages coded here. ClientHello and ServerHello: handshake.ts. */
export type Tls12HandshakeMessage =
  | HelloRequest
  | Tls12Certificate
  | ServerKeyExchange
  | Tls12CertificateRequest
  | ServerHelloDone
  | CertificateVerify
  | ClientKeyExchange
  | Finished
  | Tls12NewSessionTicket;

/** A message's fields without its `type` (what the per-message encoders take; a full message will do too). */
export type Tls12Fields<T extends { type: number }> = T extends unknown ? Omit<T, 'type'> : never;

/** What a body alone does not say and the negotiated state does. */
export interface Tls12DecodeContext {
  /** The negotiated suite's key exchange (ServerKeyExchange, ClientKeyExchange). */
  kx: Tls12KeyExchange;
  /** The suite's verify_data_length (Finished): 12 for every suite we know (RFC 5246 §7.4.9). */
  verifyDataLength: number;
  /** The peer's Certificate is a raw public key (RFC 7250 §3: negotiated with a certificate type extension). */
  rawPublicKey?: boolean;
}

/** verify_data_length of every TLS 1.2 suite that does not say otherwise (RFC 5246 §7.4.9). */
export const TLS12_VERIFY_DATA_LENGTH = 12;

// --- ServerKeyExchange ---

export function encodeServerEcdhParams(params: ServerEcdhParams): Uint8Array {
  const w = new Writer(4 + params.point.length);
  writeEcdhParams(w, params);
  return w.finish().slice();
}

/**
 * The bytes a server signs in an ECDHE ServerKeyExchange and a client verifies
 * (RFC 8422 §5.4, RFC 5246 §7.4.3): ClientHello.random || ServerHello.random ||
 * ServerECDHParams. The decoders are strict, so re-encoding decoded params
 * gives the bytes that were on the wire.
 */
export function ecdheSignedContent(clientRandom: Uint8Array, serverRandom: Uint8Array, params: ServerEcdhParams): Uint8Array {
  if (clientRandom.length !== 32 || serverRandom.length !== 32) throw new RangeError('ecdheSignedContent: randoms are 32 bytes');
  return concatBytes(clientRandom, serverRandom, encodeServerEcdhParams(params));
}

export function encodeServerKeyExchange(m: Tls12Fields<ServerKeyExchange>): Uint8Array {
  const w = new Writer(128);
  writeServerKeyExchange(w, m);
  return w.finish().slice();
}

export function decodeServerKeyExchange(body: Uint8Array, kx: Tls12KeyExchange): ServerKeyExchange {
  return whole(body, 'server_key_exchange', (r) => readServerKeyExchange(r, kx));
}

function writeEcdhParams(w: Writer, p: ServerEcdhParams): void {
  checkUint('named group', p.group, 0xffff);
  if (p.point.length === 0) throw new RangeError('ServerECDHParams: empty point');
  w.u8(EcCurveType.named_curve).u16(p.group).vec(1, p.point);
}

function writeServerKeyExchange(w: Writer, m: Tls12Fields<ServerKeyExchange>): void {
  checkKx(m.kx);
  if (m.kx !== 'ecdhe') w.vec(2, m.pskIdentityHint);
  if (m.kx === 'psk') return;
  writeEcdhParams(w, m.params);
  if (m.kx === 'ecdhe_psk') return;
  checkUint('signature scheme', m.scheme, 0xffff);
  w.u16(m.scheme).vec(2, m.signature);
}

function readServerKeyExchange(r: Reader, kx: Tls12KeyExchange): ServerKeyExchange {
  checkKx(kx);
  const type = HT12.server_key_exchange;
  const pskIdentityHint = kx === 'ecdhe' ? undefined : r.vec(2);
  if (kx === 'psk') return { type, kx, pskIdentityHint: pskIdentityHint! };
  const params = readEcdhParams(r);
  if (kx === 'ecdhe_psk') return { type, kx, pskIdentityHint: pskIdentityHint!, params };
  return { type, kx, params, scheme: r.u16(), signature: r.vec(2) };
}

function readEcdhParams(r: Reader): ServerEcdhParams {
  const curveType = r.u8();
  if (curveType === EcCurveType.explicit_prime || curveType === EcCurveType.explicit_char2) {
    throw illegalParameter(`server_key_exchange: explicit curve parameters (curve_type ${curveType}) are refused (RFC 8422 §5.4)`);
  }
  if (curveType !== EcCurveType.named_curve) throw decodeError(`server_key_exchange: unknown curve_type ${curveType}`);
  return { group: r.u16(), point: r.vec(1, 1) };
}

// --- ClientKeyExchange ---

export function encodeClientKeyExchange(m: Tls12Fields<ClientKeyExchange>): Uint8Array {
  checkKx(m.kx);
  const w = new Writer(64);
  if (m.kx !== 'ecdhe') w.vec(2, m.pskIdentity);
  if (m.kx === 'psk') return w.finish().slice();
  if (m.point.length === 0) throw new RangeError('ClientKeyExchange: empty point');
  return w.vec(1, m.point).finish().slice();
}

export function decodeClientKeyExchange(body: Uint8Array, kx: Tls12KeyExchange): ClientKeyExchange {
  checkKx(kx);
  const type = HT12.client_key_exchange;
  return whole(body, 'client_key_exchange', (r): ClientKeyExchange => {
    const pskIdentity = kx === 'ecdhe' ? undefined : r.vec(2);
    if (kx === 'psk') return { type, kx, pskIdentity: pskIdentity! };
    // RFC 8422 §5.7: the implicit (empty) encoding is for fixed-ECDH client certificates only; we read the explicit one.
    const point = r.vec(1, 1);
    return kx === 'ecdhe_psk' ? { type, kx, pskIdentity: pskIdentity!, point } : { type, kx, point };
  });
}

// --- CertificateRequest ---

export function encodeTls12CertificateRequest(m: Tls12Fields<Tls12CertificateRequest>): Uint8Array {
  if (m.certificateTypes.length === 0) throw new RangeError('CertificateRequest: no certificate types');
  if (m.signatureAlgorithms.length === 0) throw new RangeError('CertificateRequest: no signature algorithms');
  const w = new Writer(256);
  w.nested(1, (l) => m.certificateTypes.forEach((t) => (checkUint('certificate type', t, 0xff), l.u8(t))));
  w.nested(2, (l) => m.signatureAlgorithms.forEach((s) => (checkUint('signature algorithm', s, 0xffff), l.u16(s))));
  w.nested(2, (l) =>
    m.certificateAuthorities.forEach((dn) => {
      if (dn.length === 0) throw new RangeError('CertificateRequest: empty DistinguishedName');
      l.vec(2, dn);
    }),
  );
  return w.finish().slice();
}

export function decodeTls12CertificateRequest(body: Uint8Array): Tls12CertificateRequest {
  return whole(body, 'certificate_request', (r) => {
    const certificateTypes = Array.from(r.vec(1, 1));
    const algs = r.sub(2, 2, 0xfffe);
    if (algs.remaining % 2) throw decodeError('certificate_request: odd supported_signature_algorithms length');
    const signatureAlgorithms: number[] = [];
    while (!algs.atEnd()) signatureAlgorithms.push(algs.u16());
    const cas = r.sub(2);
    const certificateAuthorities: Uint8Array[] = [];
    while (!cas.atEnd()) certificateAuthorities.push(cas.vec(2, 1));
    return { type: HT.certificate_request, certificateTypes, signatureAlgorithms, certificateAuthorities };
  });
}

// --- Certificate ---

export function encodeTls12Certificate(m: Tls12Fields<Tls12Certificate>): Uint8Array {
  const w = new Writer(1024);
  if (m.rawPublicKey) {
    if (m.certificates.length !== 1 || m.certificates[0]!.length === 0) throw new RangeError('Certificate: a raw public key is one non-empty SubjectPublicKeyInfo');
    return w.vec(3, m.certificates[0]!).finish().slice();
  }
  w.nested(3, (l) =>
    m.certificates.forEach((c) => {
      if (c.length === 0) throw new RangeError('Certificate: empty ASN.1Cert');
      l.vec(3, c);
    }),
  );
  return w.finish().slice();
}

export function decodeTls12Certificate(body: Uint8Array, rawPublicKey = false): Tls12Certificate {
  if (rawPublicKey) return whole(body, 'certificate', (r) => ({ type: HT.certificate, certificates: [r.vec(3, 1)], rawPublicKey: true }));
  return whole(body, 'certificate', (r) => {
    const list = r.sub(3);
    const certificates: Uint8Array[] = [];
    while (!list.atEnd()) certificates.push(list.vec(3, 1));
    return { type: HT.certificate, certificates };
  });
}

// --- ServerHelloDone, HelloRequest: empty bodies ---

export function decodeServerHelloDone(body: Uint8Array): ServerHelloDone {
  if (body.length !== 0) throw decodeError(`server_hello_done: ${body.length} bytes in an empty body`);
  return { type: HT12.server_hello_done };
}

export function decodeHelloRequest(body: Uint8Array): HelloRequest {
  if (body.length !== 0) throw decodeError(`hello_request: ${body.length} bytes in an empty body`);
  return { type: HT12.hello_request };
}

// --- NewSessionTicket ---

export function encodeTls12NewSessionTicket(m: Tls12Fields<Tls12NewSessionTicket>): Uint8Array {
  checkUint('ticket_lifetime_hint', m.lifetimeHint, 0xffffffff);
  return new Writer(6 + m.ticket.length).u32(m.lifetimeHint).vec(2, m.ticket).finish().slice();
}

export function decodeTls12NewSessionTicket(body: Uint8Array): Tls12NewSessionTicket {
  return whole(body, 'new_session_ticket', (r) => ({ type: HT.new_session_ticket, lifetimeHint: r.u32(), ticket: r.vec(2) }));
}

// --- Finished ---

export function encodeTls12Finished(m: Tls12Fields<Finished>): Uint8Array {
  if (m.verifyData.length === 0) throw new RangeError('Finished: empty verify_data');
  return m.verifyData.slice();
}

/** verify_data must be exactly `expectedLength` bytes (the suite's verify_data_length), else decode_error. */
export function decodeTls12Finished(body: Uint8Array, expectedLength: number = TLS12_VERIFY_DATA_LENGTH): Finished {
  if (!Number.isInteger(expectedLength) || expectedLength <= 0) throw new RangeError(`Finished: verify_data_length ${expectedLength}`);
  if (body.length !== expectedLength) throw decodeError(`finished: ${body.length} bytes of verify_data, expected ${expectedLength}`);
  return { type: HT.finished, verifyData: body };
}

// --- CertificateVerify (RFC 5246 §7.4.8: a DigitallySigned) ---

export function encodeTls12CertificateVerify(m: Tls12Fields<CertificateVerify>): Uint8Array {
  checkUint('signature scheme', m.scheme, 0xffff);
  return new Writer(4 + m.signature.length).u16(m.scheme).vec(2, m.signature).finish().slice();
}

export function decodeTls12CertificateVerify(body: Uint8Array): CertificateVerify {
  return whole(body, 'certificate_verify', (r) => ({ type: HT.certificate_verify, scheme: r.u16(), signature: r.vec(2) }));
}

// --- any of them ---

/** The body of `m` (no header). */
export function encodeTls12Body(m: Tls12HandshakeMessage): Uint8Array {
  switch (m.type) {
    case HT12.hello_request:
    case HT12.server_hello_done:
      return new Uint8Array(0);
    case HT.certificate:
      return encodeTls12Certificate(m);
    case HT12.server_key_exchange:
      return encodeServerKeyExchange(m);
    case HT.certificate_request:
      return encodeTls12CertificateRequest(m);
    case HT.certificate_verify:
      return encodeTls12CertificateVerify(m);
    case HT12.client_key_exchange:
      return encodeClientKeyExchange(m);
    case HT.finished:
      return encodeTls12Finished(m);
    case HT.new_session_ticket:
      return encodeTls12NewSessionTicket(m);
  }
}

/** `m` with its 4-byte TLS header. DTLS: frame `encodeTls12Body(m)` with a 12-byte header (handshake-header.ts). */
export function encodeTls12Handshake(m: Tls12HandshakeMessage): Uint8Array {
  const body = encodeTls12Body(m);
  return concatBytes(encodeHandshakeHeader({ type: m.type, length: body.length }, 'tls'), body);
}

/**
 * Decodes a TLS 1.2 body of the given handshake type. Types that are not
 * TLS 1.2 messages coded here (ClientHello/ServerHello: handshake.ts; the
 * TLS 1.3-only types; unknown types) are unexpected_message.
 */
export function decodeTls12Body(type: number, body: Uint8Array, ctx: Tls12DecodeContext): Tls12HandshakeMessage {
  switch (type) {
    case HT12.hello_request:
      return decodeHelloRequest(body);
    case HT.certificate:
      return decodeTls12Certificate(body, ctx.rawPublicKey);
    case HT12.server_key_exchange:
      return decodeServerKeyExchange(body, ctx.kx);
    case HT.certificate_request:
      return decodeTls12CertificateRequest(body);
    case HT12.server_hello_done:
      return decodeServerHelloDone(body);
    case HT.certificate_verify:
      return decodeTls12CertificateVerify(body);
    case HT12.client_key_exchange:
      return decodeClientKeyExchange(body, ctx.kx);
    case HT.finished:
      return decodeTls12Finished(body, ctx.verifyDataLength);
    case HT.new_session_ticket:
      return decodeTls12NewSessionTicket(body);
    default:
      throw unexpectedMessage(`TLS 1.2 handshake message type ${type}`);
  }
}

// --- helpers ---

function whole<T>(body: Uint8Array, what: string, read: (r: Reader) => T): T {
  const r = new Reader(body, what);
  const v = read(r);
  r.end();
  return v;
}

function checkKx(kx: string): void {
  if (kx !== 'ecdhe' && kx !== 'psk' && kx !== 'ecdhe_psk') throw new RangeError(`TLS 1.2 key exchange '${kx}' has no message codec`);
}

function checkUint(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${what} ${v} outside [0, ${max}]`);
}

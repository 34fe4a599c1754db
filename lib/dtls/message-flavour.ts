/**
 * What DTLS 1.2 changes in the hello messages (RFC 6347 §4.2.1, §4.3.2), so
 * that the TLS 1.2 states run unchanged over datagrams: the datagram
 * connection rewrites what the states send and what they receive.
 *
 * - Versions: DTLS 1.2 is 0xfefd where TLS 1.2 says 0x0303, DTLS 1.0 is
 *   0xfeff (TLS 1.1's place); DTLS versions count down.
 * - ClientHello: a cookie<0..2^8-1> follows the session id.
 * - HelloVerifyRequest (type 3): server_version, cookie<0..2^8-1>
 *   (lib/wire/dtls-hello.ts).
 */
import { decodeError } from '../errors.js';
import { concatBytes, Reader } from '../wire/codec.js';
import { MAX_COOKIE_LENGTH } from '../wire/dtls-hello.js';

const TLS_OF_DTLS = new Map([
  [0xfeff, 0x0302],
  [0xfefd, 0x0303],
  [0xfefc, 0x0304],
]);
const DTLS_OF_TLS = new Map([...TLS_OF_DTLS].map(([d, t]) => [t, d]));

/**
 * The TLS version a DTLS version stands for. A version that is no DTLS
 * version reads as SSL 2 (0x0200), which the states refuse as too old;
 * unknown newer DTLS versions (below 0xfefc) read as newer than TLS 1.3.
 */
export function tlsVersionOf(dtls: number): number {
  const known = TLS_OF_DTLS.get(dtls);
  if (known !== undefined) return known;
  return dtls >= 0xfe00 && dtls < 0xfefc ? 0x0305 : 0x0200;
}

/** The DTLS version standing for a TLS version the states wrote. */
export function dtlsVersionOf(tls: number): number {
  const v = DTLS_OF_TLS.get(tls);
  if (v === undefined) throw new RangeError(`no DTLS version for 0x${tls.toString(16)}`);
  return v;
}

function withVersion(body: Uint8Array, version: number): Uint8Array {
  const out = body.slice();
  out[0] = version >>> 8;
  out[1] = version & 0xff;
  return out;
}

/** client_version(2) random(32) session_id<0..32>: where the cookie goes. */
function afterSessionId(body: Uint8Array): number {
  const r = new Reader(body, 'ClientHello');
  r.bytes(34);
  r.vec(1, 0, 32);
  return r.offset;
}

/** A TLS ClientHello body as DTLS sends it: DTLS version, `cookie` after the session id. */
export function clientHelloToDtls(tlsBody: Uint8Array, cookie: Uint8Array): Uint8Array {
  if (cookie.length > MAX_COOKIE_LENGTH) throw new RangeError('cookie over 255 bytes');
  const at = afterSessionId(tlsBody);
  const dtls = withVersion(tlsBody, dtlsVersionOf((tlsBody[0]! << 8) | tlsBody[1]!));
  return concatBytes(dtls.subarray(0, at), Uint8Array.of(cookie.length), cookie, dtls.subarray(at));
}

/** A DTLS ClientHello body read as TLS (version mapped, cookie taken out); decode_error when it is cut short. */
export function clientHelloFromDtls(dtlsBody: Uint8Array): { body: Uint8Array; cookie: Uint8Array } {
  const at = afterSessionId(dtlsBody);
  const r = new Reader(dtlsBody.subarray(at), 'ClientHello');
  const cookie = r.vec(1, 0, MAX_COOKIE_LENGTH);
  const tls = withVersion(dtlsBody, tlsVersionOf((dtlsBody[0]! << 8) | dtlsBody[1]!));
  return { body: concatBytes(tls.subarray(0, at), r.rest()), cookie: cookie.slice() };
}

/** ServerHello: only the version differs. */
export function serverHelloToDtls(tlsBody: Uint8Array): Uint8Array {
  return withVersion(tlsBody, dtlsVersionOf((tlsBody[0]! << 8) | tlsBody[1]!));
}

export function serverHelloFromDtls(dtlsBody: Uint8Array): Uint8Array {
  if (dtlsBody.length < 2) throw decodeError('ServerHello: truncated');
  return withVersion(dtlsBody, tlsVersionOf((dtlsBody[0]! << 8) | dtlsBody[1]!));
}

/**
 * The two message codecs of DTLS's stateless cookie exchange (RFC 6347 §4.2.1):
 *
 * - a DTLS ClientHello body split around its cookie field, so a server can
 *   MAC "everything but the cookie" and a retransmitted or cookie-carrying
 *   ClientHello maps to the same cookie;
 * - the HelloVerifyRequest body (`server_version u16, cookie<0..2^8-1>`).
 *
 * The DTLS ClientHello is the TLS 1.2 one with a cookie after session_id:
 *
 *   client_version u16, random[32], session_id<0..32>, cookie<0..2^8-1>,
 *   cipher_suites<2..2^16-2>, compression_methods<1..2^8-1>, extensions<0..2^16-1> (optional)
 *
 * Every length is checked against its bound and the end of the input; bad
 * input throws TlsError('decode_error'). A server on the datagram path
 * catches it and drops the datagram (RFC 6347 §4.1.2.7).
 */
import { decodeError } from '../errors.js';
import { Reader, Writer, concatBytes } from './codec.js';

/** HandshakeType hello_verify_request (RFC 6347 §4.3.2); DTLS 1.2 only (DTLS 1.3 uses HelloRetryRequest). */
export const HELLO_VERIFY_REQUEST = 3;

/** The DTLS 1.0 version (RFC 4347), which RFC 6347 §4.2.1 has the HelloVerifyRequest carry whatever is negotiated later. */
export const DTLS1_0_VERSION = 0xfeff;
/** The DTLS 1.2 version (RFC 6347). */
export const DTLS1_2_VERSION = 0xfefd;

/** Longest cookie either message can carry (RFC 6347 raised DTLS 1.0's 32 to 2^8-1). */
export const MAX_COOKIE_LENGTH = 0xff;

/** A DTLS ClientHello body seen by the cookie exchange. */
export interface SplitClientHello {
  /** client_version as sent (0xfefd for DTLS 1.2, 0xfeff for 1.0). */
  version: number;
  /**
   * The body without the cookie field (length byte included): client_version
   * through session_id, then cipher_suites through the end. What the cookie
   * is computed over.
   */
  parameters: Uint8Array;
  /** The cookie as sent (empty on a first ClientHello); a view into `body`. */
  cookie: Uint8Array;
}

/**
 * Splits a DTLS ClientHello body (the handshake message without its 12-byte
 * header) around its cookie. Checks the whole structure's framing so that a
 * malformed hello is refused here, before any cookie work; the extensions are
 * checked only as one length-prefixed block.
 *
 * @example
 * const { parameters, cookie } = splitDtlsClientHello(body);
 * if (!jar.check(address, parameters, cookie)) reply(encodeHelloVerifyRequest(DTLS1_0_VERSION, jar.make(address, parameters)));
 */
export function splitDtlsClientHello(body: Uint8Array): SplitClientHello {
  const r = new Reader(body, 'DTLS ClientHello');
  const version = r.u16();
  r.bytes(32); // random
  r.vec(1, 0, 32); // session_id
  const cookieStart = r.offset;
  const cookie = r.vec(1, 0, MAX_COOKIE_LENGTH);
  const cookieEnd = r.offset;
  const suites = r.vec(2, 2, 0xfffe);
  if (suites.length % 2 !== 0) throw decodeError(`DTLS ClientHello: cipher_suites length ${suites.length} is odd`);
  r.vec(1, 1, 0xff); // compression_methods
  // Extensions are optional in a (D)TLS 1.2 ClientHello: absent means none.
  if (!r.atEnd()) r.vec(2);
  r.end();
  return {
    version,
    parameters: concatBytes(body.subarray(0, cookieStart), body.subarray(cookieEnd)),
    cookie,
  };
}

/** A HelloVerifyRequest body. */
export interface HelloVerifyRequest {
  /** server_version: 0xfeff (DTLS 1.0) by RFC 6347 §4.2.1, whatever version is negotiated later. */
  version: number;
  cookie: Uint8Array;
}

/**
 * The HelloVerifyRequest body (without the handshake header). A cookie longer
 * than 255 bytes is a programming error (RangeError).
 *
 * @example
 * encodeHelloVerifyRequest(DTLS1_0_VERSION, cookie); // fe ff 20 <32 cookie bytes>
 */
export function encodeHelloVerifyRequest(version: number, cookie: Uint8Array): Uint8Array {
  if (!Number.isInteger(version) || version < 0 || version > 0xffff) throw new RangeError(`HelloVerifyRequest: bad version ${version}`);
  if (cookie.length > MAX_COOKIE_LENGTH) throw new RangeError(`HelloVerifyRequest: cookie of ${cookie.length} bytes (at most ${MAX_COOKIE_LENGTH})`);
  return new Writer(3 + cookie.length).u16(version).vec(1, cookie).finish();
}

/**
 * Reads a HelloVerifyRequest body: exactly server_version and the cookie,
 * nothing after. The cookie is a copy, so the caller can keep it for its next
 * ClientHello while the datagram buffer is reused.
 *
 * @example
 * const { cookie } = decodeHelloVerifyRequest(body); // then resend the ClientHello with this cookie
 */
export function decodeHelloVerifyRequest(body: Uint8Array): HelloVerifyRequest {
  const r = new Reader(body, 'HelloVerifyRequest');
  const version = r.u16();
  const cookie = r.vec(1, 0, MAX_COOKIE_LENGTH).slice();
  r.end();
  return { version, cookie };
}

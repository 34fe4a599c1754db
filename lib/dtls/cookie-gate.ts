/**
 * The stateless cookie gate (RFC 6347 §4.2.1): the DTLS 1.2 server's first
 * line of defence. A datagram from an address without a session is let
 * through only when it is a whole ClientHello carrying a cookie the server
 * made for that address and that hello; a cookie-less (or wrong-cookie)
 * ClientHello is answered with a HelloVerifyRequest built from the datagram
 * alone, so a spoofed source address costs the server one small reply and no
 * memory. Everything else is dropped: nothing here throws or keeps state.
 */
import { TlsError } from '../errors.js';
import { ContentType, HandshakeType } from '../wire/enums.js';
import { HANDSHAKE_HEADER_LENGTH, encodeHandshakeHeader, readHandshakeHeader } from '../wire/handshake-header.js';
import {
  DTLS1_0_VERSION,
  DTLS1_2_VERSION,
  HELLO_VERIFY_REQUEST,
  encodeHelloVerifyRequest,
  splitDtlsClientHello,
  type SplitClientHello,
} from '../wire/dtls-hello.js';
import type { CookieJar } from './cookie.js';

/** What to do with a datagram from an address that has no session yet. */
export type CookieVerdict =
  /** A ClientHello with a valid cookie: create a session and feed it this same datagram. */
  | { verdict: 'accept' }
  /** Send `datagram` (a HelloVerifyRequest) back to the address, and keep nothing. */
  | { verdict: 'reply'; datagram: Uint8Array }
  /** Ignore the datagram; `reason` is for logs and counters only. */
  | { verdict: 'drop'; reason: string };

/** The DTLS 1.0/1.2 record header: type u8, version u16, epoch u16, sequence_number u48, length u16. */
const RECORD_HEADER_LENGTH = 13;
/** Where the epoch and sequence number sit in the record header (8 bytes, copied into the reply). */
const EPOCH_AND_SEQ = [3, 11] as const;
/** Largest DTLSPlaintext.length (RFC 6347 §4.1, as TLS: 2^14). */
const MAX_PLAINTEXT = 1 << 14;

/** The pieces of a first-flight datagram the gate needs. */
interface ClientHelloDatagram {
  /** epoch (0) and sequence_number, as received: the HelloVerifyRequest's record reuses them. */
  epochAndSeq: Uint8Array;
  messageSeq: number;
  hello: SplitClientHello;
}

/**
 * Decides what a server does with `datagram` from `address` (e.g.
 * "192.0.2.7:5684") before it keeps any state for that address.
 *
 * The HelloVerifyRequest is one plaintext record that, like OpenSSL's
 * DTLSv1_listen and GnuTLS's gnutls_dtls_cookie_send, carries version 0xfeff
 * (DTLS 1.0) both in the record header and as server_version: RFC 6347
 * §4.2.1 asks for 1.0 in the message whatever is negotiated later, and some
 * clients ignore a record of a version they did not offer yet. Its record
 * sequence number is the ClientHello's (§4.2.1, so repeated requests never
 * reuse a number), and its message_seq the ClientHello's message_seq (0 on a
 * first hello; the server's ServerHello then takes the next one).
 *
 * @example
 * const verdict = cookieGate(jar, `${rinfo.address}:${rinfo.port}`, datagram);
 * if (verdict.verdict === 'reply') socket.send(verdict.datagram, rinfo.port, rinfo.address);
 * else if (verdict.verdict === 'accept') newSession(rinfo).feed(datagram);
 */
export function cookieGate(jar: CookieJar, address: string, datagram: Uint8Array): CookieVerdict {
  const parsed = readClientHelloDatagram(datagram);
  if (typeof parsed === 'string') return { verdict: 'drop', reason: parsed };
  const { hello } = parsed;
  // An empty cookie is the normal first hello: no MAC work spent on it.
  if (hello.cookie.length > 0 && jar.check(address, hello.parameters, hello.cookie)) return { verdict: 'accept' };
  const cookie = jar.make(address, hello.parameters);
  return { verdict: 'reply', datagram: helloVerifyRequestRecord(parsed, cookie) };
}

/** The first record of `datagram` as a whole, unfragmented ClientHello, or why not. */
function readClientHelloDatagram(datagram: Uint8Array): ClientHelloDatagram | string {
  if (datagram.length < RECORD_HEADER_LENGTH) return 'shorter than a record header';
  if (datagram[0] !== ContentType.handshake) return `record type ${datagram[0]} is not handshake`;
  const version = (datagram[1]! << 8) | datagram[2]!;
  if (version !== DTLS1_0_VERSION && version !== DTLS1_2_VERSION) return `record version 0x${version.toString(16)} is not DTLS 1.0/1.2`;
  if (datagram[3] !== 0 || datagram[4] !== 0) return 'epoch is not 0';
  const length = (datagram[11]! << 8) | datagram[12]!;
  if (length > MAX_PLAINTEXT) return `record length ${length} over 2^14`;
  if (length > datagram.length - RECORD_HEADER_LENGTH) return 'record truncated';
  const fragment = datagram.subarray(RECORD_HEADER_LENGTH, RECORD_HEADER_LENGTH + length);

  const header = safely(() => readHandshakeHeader(fragment, 0, 'dtls'));
  if (header === undefined) return 'no valid handshake header';
  if (header.type !== HandshakeType.client_hello) return `handshake type ${header.type} is not client_hello`;
  // A stateless server cannot reassemble: a fragmented first ClientHello is dropped (as OpenSSL and GnuTLS do).
  if (header.fragmentOffset !== 0 || header.fragmentLength !== header.length) return 'fragmented ClientHello';
  if (HANDSHAKE_HEADER_LENGTH.dtls + header.length !== fragment.length) return 'record is not exactly one ClientHello';

  const hello = safely(() => splitDtlsClientHello(fragment.subarray(HANDSHAKE_HEADER_LENGTH.dtls)));
  if (hello === undefined) return 'malformed ClientHello';
  if (hello.version >>> 8 !== 0xfe) return `client_version 0x${hello.version.toString(16)} is not DTLS`;
  return { epochAndSeq: datagram.subarray(...EPOCH_AND_SEQ), messageSeq: header.messageSeq, hello };
}

/** The whole HelloVerifyRequest datagram answering `ch`. */
function helloVerifyRequestRecord(ch: ClientHelloDatagram, cookie: Uint8Array): Uint8Array {
  const body = encodeHelloVerifyRequest(DTLS1_0_VERSION, cookie);
  const handshake = encodeHandshakeHeader({ type: HELLO_VERIFY_REQUEST, length: body.length, messageSeq: ch.messageSeq }, 'dtls');
  const length = handshake.length + body.length;
  const out = new Uint8Array(RECORD_HEADER_LENGTH + length);
  out[0] = ContentType.handshake;
  out[1] = DTLS1_0_VERSION >>> 8;
  out[2] = DTLS1_0_VERSION & 0xff;
  out.set(ch.epochAndSeq, 3);
  out[11] = length >>> 8;
  out[12] = length & 0xff;
  out.set(handshake, RECORD_HEADER_LENGTH);
  out.set(body, RECORD_HEADER_LENGTH + handshake.length);
  return out;
}

/**
 * `f()`, or undefined when it fails to decode: a malformed datagram means
 * "drop", never an exception to the caller. Other errors are our bugs and
 * stay loud.
 */
function safely<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof TlsError) return undefined;
    throw e;
  }
}

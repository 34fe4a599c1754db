/**
 * Client: what the TLS 1.2 ServerHello settled, carried by every later state
 * of the handshake (each state adds only what became valid at its point).
 */
import type { Transcript } from '../../tls13/transcript.js';
import type { ClientHello } from '../../wire/handshake.js';
import { Tls12HandshakeType } from '../../wire/tls12-enums.js';
import type { Tls12CipherSuite } from '../suites.js';

export interface Negotiated {
  /** Our ClientHello: its random and the extensions we offered. */
  readonly hello: ClientHello;
  readonly serverRandom: Uint8Array;
  readonly suite: Tls12CipherSuite;
  /** Holds every handshake message so far, hashed with the suite's PRF hash. */
  readonly transcript: Transcript;
  /** RFC 7627: the master secret is bound to the handshake transcript. */
  readonly ems: boolean;
  /** The server sent an empty session_ticket: a NewSessionTicket comes before its ChangeCipherSpec (RFC 5077 §3.2). */
  readonly ticketPromised: boolean;
}

/** The randoms as Tls12SessionKeys takes them. */
export function randoms(n: Negotiated): { client: Uint8Array; server: Uint8Array } {
  return { client: n.hello.random, server: n.serverRandom };
}

/**
 * RFC 5246 §7.4.1.1: a HelloRequest that arrives while a handshake is under
 * way is ignored (it is not part of the transcript); OpenSSL's client does
 * the same. Every handshake state takes it besides its own messages.
 */
export const HELLO_REQUEST = Tls12HandshakeType.hello_request;

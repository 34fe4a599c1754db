/**
 * Bodies of the extensions TLS 1.2 uses and TLS 1.3 does not (the extension
 * types are in enums.ts's ExtensionType):
 * - extended_master_secret (23, RFC 7627 §5.1): an empty body;
 * - renegotiation_info (0xff01, RFC 5746 §3.2): `renegotiated_connection<0..255>`,
 *   empty on an initial handshake (the only kind we do);
 * - ec_point_formats (11, RFC 8422 §5.1.2): `ECPointFormat ec_point_format_list<1..2^8-1>`;
 *   we send [uncompressed] and require it in a peer's list;
 * - session_ticket (35, RFC 5077 §3.2): the extension_data *is* the ticket,
 *   with no length of its own; empty asks for (client) or promises (server) a
 *   NewSessionTicket.
 * server_name, supported_groups, signature_algorithms and ALPN bodies are the
 * same in both versions: use extension.ts's codecs (encodeServerName,
 * encodeU16List, encodeAlpn, ... and their decoders).
 *
 * Decoders are strict (a malformed body is decode_error); the `check*`
 * functions add what the RFCs require of a received value, with their alerts.
 */
import { TlsError, decodeError, illegalParameter } from '../errors.js';
import { Writer, equalBytes } from './codec.js';
import { decodeBody } from './extension.js';
import { EcPointFormat } from './tls12-enums.js';

const EMPTY = new Uint8Array(0);

/** The most an extension body can hold (its length is a u16). */
const MAX_EXTENSION_BODY = 0xffff;

// --- extended_master_secret (RFC 7627) ---

/** The body of extended_master_secret: always empty. */
export function encodeExtendedMasterSecret(): Uint8Array {
  return new Uint8Array(0);
}

/** Checks that an extended_master_secret body is empty (RFC 7627 §5.1), else decode_error. */
export function decodeExtendedMasterSecret(data: Uint8Array): void {
  if (data.length !== 0) throw decodeError(`extended_master_secret: ${data.length} bytes in an empty body`);
}

// --- renegotiation_info (RFC 5746) ---

/**
 * The body of renegotiation_info. An initial handshake sends it empty (the
 * default); a renegotiation would carry client_verify_data, plus
 * server_verify_data from a server (RFC 5746 §3.2).
 */
export function encodeRenegotiationInfo(renegotiatedConnection: Uint8Array = EMPTY): Uint8Array {
  return new Writer(1 + renegotiatedConnection.length).vec(1, renegotiatedConnection).finish().slice();
}

/** renegotiated_connection from a renegotiation_info body. */
export function decodeRenegotiationInfo(data: Uint8Array): Uint8Array {
  return decodeBody(data, 'renegotiation_info', (r) => r.vec(1));
}

/**
 * Decodes a received renegotiation_info and requires renegotiated_connection
 * to be `expected`: empty on an initial handshake (the default). Anything
 * else aborts the handshake with handshake_failure (RFC 5746 §3.4 for the
 * client; §3.6 has the server abort too and names no alert, so we send the
 * same one).
 */
export function checkRenegotiationInfo(data: Uint8Array, expected: Uint8Array = EMPTY): void {
  const got = decodeRenegotiationInfo(data);
  if (!equalBytes(got, expected)) {
    throw new TlsError(
      'handshake_failure',
      expected.length === 0
        ? `renegotiation_info: ${got.length} bytes of renegotiated_connection on an initial handshake`
        : 'renegotiation_info: renegotiated_connection does not match the previous Finished messages',
    );
  }
}

// --- ec_point_formats (RFC 8422) ---

/** The body of ec_point_formats; by default [uncompressed], all we support. */
export function encodeEcPointFormats(formats: readonly number[] = [EcPointFormat.uncompressed]): Uint8Array {
  if (formats.length === 0) throw new RangeError('ec_point_formats: an empty list');
  for (const f of formats) if (!Number.isInteger(f) || f < 0 || f > 0xff) throw new RangeError(`ec_point_formats: format ${f}`);
  return new Writer(1 + formats.length).vec(1, Uint8Array.from(formats)).finish().slice();
}

/** The format list of an ec_point_formats body (`<1..2^8-1>`). */
export function decodeEcPointFormats(data: Uint8Array): number[] {
  return Array.from(decodeBody(data, 'ec_point_formats', (r) => r.vec(1, 1)));
}

/**
 * Decodes a peer's ec_point_formats and requires uncompressed (0) in it:
 * without it the peer could not read our points, nor we its own
 * (RFC 8422 §5.1.2, §5.2: illegal_parameter). Answers the list.
 */
export function checkEcPointFormats(data: Uint8Array): number[] {
  const formats = decodeEcPointFormats(data);
  if (!formats.includes(EcPointFormat.uncompressed)) {
    throw illegalParameter(`ec_point_formats: [${formats.join(', ')}] lacks uncompressed (0)`);
  }
  return formats;
}

// --- session_ticket (RFC 5077) ---

/**
 * The body of session_ticket: the ticket itself (a copy), or empty to ask for
 * a new one (client) or to promise a NewSessionTicket (server).
 */
export function encodeSessionTicket(ticket: Uint8Array = EMPTY): Uint8Array {
  if (ticket.length > MAX_EXTENSION_BODY) throw new RangeError(`session_ticket: a ${ticket.length}-byte ticket does not fit an extension`);
  return ticket.slice();
}

/**
 * The ticket a ClientHello's session_ticket carries (a view of `data`; empty:
 * no ticket, the client asks for one). Any bytes are a well-formed ticket;
 * whether it opens is for the ticket keys to say.
 */
export function decodeSessionTicket(data: Uint8Array): Uint8Array {
  return data;
}

/** A ServerHello's session_ticket must be empty (RFC 5077 §3.2), else decode_error. */
export function decodeServerSessionTicket(data: Uint8Array): void {
  if (data.length !== 0) throw decodeError(`session_ticket: ${data.length} bytes in a ServerHello's (empty) extension`);
}

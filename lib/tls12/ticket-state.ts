/**
 * What a TLS 1.2 session ticket carries (RFC 5077 §4's StatePlaintext, our
 * own encoding), sealed with a TicketKeySet:
 *
 *   u8  format (1: TLS 1.2 state; a TLS 1.3 state uses another first byte)
 *   u16 protocol version (0x0303, or 0xfefd for DTLS 1.2)
 *   u16 cipher suite
 *   opaque master_secret[48]
 *   u8  extended master secret (0 or 1)
 *   u48 issued at (ms, from the server's injected clock)
 *   u32 lifetime (s)
 *   opaque alpn<0..255>         (empty: none)
 *   opaque server_name<0..255>  (empty: none)
 *
 * The decoder is strict: a ticket is only ever what we encoded, so anything
 * else (wrong format, lengths, flag values, trailing bytes, non-UTF-8 names)
 * is undefined, never an exception.
 */
import { Reader, Writer } from '../wire/codec.js';
import { MASTER_SECRET_LENGTH } from './prf.js';
import { MAX_TICKET_NAME, ticketName, ticketNameBytes } from '../handshake/ticket-names.js';

const FORMAT = 1;
const VERSIONS: readonly number[] = [0x0303, 0xfefd];
/** The longest encoding: both names at their maximum. */
const MAX_LENGTH = 1 + 2 + 2 + MASTER_SECRET_LENGTH + 1 + 6 + 4 + (1 + MAX_TICKET_NAME) * 2;

export interface Tls12TicketState {
  readonly version: number;
  readonly cipherSuite: number;
  readonly masterSecret: Uint8Array;
  readonly extendedMasterSecret: boolean;
  /** When the ticket was issued, in ms of the server's clock(). */
  readonly issuedAt: number;
  /** How long the server accepts it, in seconds. */
  readonly lifetime: number;
  readonly alpn?: string | undefined;
  readonly serverName?: string | undefined;
}

function check(state: Tls12TicketState): void {
  if (!VERSIONS.includes(state.version)) throw new RangeError('ticket state version must be TLS 1.2 or DTLS 1.2');
  if (!Number.isInteger(state.cipherSuite) || state.cipherSuite < 0 || state.cipherSuite > 0xffff) throw new RangeError('cipher suite must be a u16');
  if (state.masterSecret.length !== MASTER_SECRET_LENGTH) throw new RangeError(`master secret must be ${MASTER_SECRET_LENGTH} bytes`);
  if (!(state.issuedAt >= 0 && state.issuedAt < 2 ** 48)) throw new RangeError('issuedAt must be in [0, 2^48) ms');
  if (!Number.isInteger(state.lifetime) || state.lifetime < 0 || state.lifetime > 0xffffffff) throw new RangeError('lifetime must be a u32 of seconds');
}

/** The state as bytes to seal; issuedAt is kept in whole ms. Throws RangeError for values that do not fit. */
export function encodeTicketState(state: Tls12TicketState): Uint8Array {
  check(state);
  const alpn = ticketNameBytes('ALPN', state.alpn);
  const serverName = ticketNameBytes('server name', state.serverName);
  return new Writer(MAX_LENGTH)
    .u8(FORMAT)
    .u16(state.version)
    .u16(state.cipherSuite)
    .bytes(state.masterSecret)
    .u8(state.extendedMasterSecret ? 1 : 0)
    .u48(Math.floor(state.issuedAt))
    .u32(state.lifetime)
    .vec(1, alpn)
    .vec(1, serverName)
    .finish();
}

/** A decoded name: undefined for none; throws on bytes that are not UTF-8. */

/** The state in `bytes`, or undefined unless they are exactly what encodeTicketState makes. */
export function decodeTicketState(bytes: Uint8Array): Tls12TicketState | undefined {
  if (bytes.length > MAX_LENGTH) return undefined;
  try {
    const r = new Reader(bytes, 'ticket state');
    if (r.u8() !== FORMAT) return undefined;
    const version = r.u16();
    const cipherSuite = r.u16();
    const masterSecret = r.bytes(MASTER_SECRET_LENGTH).slice();
    const ems = r.u8();
    const issuedAt = r.u48();
    const lifetime = r.u32();
    const alpn = ticketName(r.vec(1));
    const serverName = ticketName(r.vec(1));
    r.end();
    if (!VERSIONS.includes(version) || ems > 1) return undefined;
    return { version, cipherSuite, masterSecret, extendedMasterSecret: ems === 1, issuedAt, lifetime, alpn, serverName };
  } catch {
    return undefined;
  }
}

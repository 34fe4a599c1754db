/**
 * What a TLS 1.3 ticket of ours carries (RFC 8446 §4.6.1 leaves it to the
 * server), sealed with the TicketKeySet of lib/tls12/ticket-keys.ts:
 *
 *   u8  format (2: TLS 1.3 state; ticket-state.ts of TLS 1.2 uses 1)
 *   u16 cipher suite (its hash is the PSK's)
 *   opaque psk<32..255>            (the ticket's resumption PSK)
 *   u48 issued at (ms, from the server's injected clock)
 *   u32 lifetime (s)
 *   u32 ticket_age_add
 *   opaque alpn<0..255>            (empty: none)
 *   opaque server_name<0..255>     (empty: none)
 *
 * The decoder is strict and never throws: anything but what we encoded is undefined.
 */
import { Reader, Writer } from '../wire/codec.js';
import { MAX_TICKET_NAME, ticketName, ticketNameBytes } from '../handshake/ticket-names.js';

const FORMAT = 2;
const MAX_LENGTH = 1 + 2 + 1 + 255 + 6 + 4 + 4 + (1 + MAX_TICKET_NAME) * 2;

export interface Tls13TicketState {
  readonly cipherSuite: number;
  readonly psk: Uint8Array;
  /** When the ticket was issued, in ms of the server's clock(). */
  readonly issuedAt: number;
  /** Seconds the server accepts it. */
  readonly lifetime: number;
  readonly ageAdd: number;
  readonly alpn?: string | undefined;
  readonly serverName?: string | undefined;
}

export function encodeTls13TicketState(s: Tls13TicketState): Uint8Array {
  if (s.psk.length < 32 || s.psk.length > 255) throw new RangeError('a ticket PSK is 32..255 bytes');
  if (!(s.issuedAt >= 0 && s.issuedAt < 2 ** 48)) throw new RangeError('issuedAt must be in [0, 2^48) ms');
  return new Writer(MAX_LENGTH)
    .u8(FORMAT)
    .u16(s.cipherSuite)
    .vec(1, s.psk)
    .u48(Math.floor(s.issuedAt))
    .u32(s.lifetime)
    .u32(s.ageAdd >>> 0)
    .vec(1, ticketNameBytes('ALPN', s.alpn))
    .vec(1, ticketNameBytes('server name', s.serverName))
    .finish()
    .slice();
}


export function decodeTls13TicketState(bytes: Uint8Array): Tls13TicketState | undefined {
  if (bytes.length > MAX_LENGTH) return undefined;
  try {
    const r = new Reader(bytes, 'ticket state');
    if (r.u8() !== FORMAT) return undefined;
    const cipherSuite = r.u16();
    const psk = r.vec(1, 32).slice();
    const issuedAt = r.u48();
    const lifetime = r.u32();
    const ageAdd = r.u32();
    const alpn = ticketName(r.vec(1));
    const serverName = ticketName(r.vec(1));
    r.end();
    return { cipherSuite, psk, issuedAt, lifetime, ageAdd, alpn, serverName };
  } catch {
    return undefined;
  }
}

/**
 * The optional names a sealed session ticket carries (ALPN protocol, server
 * name), shared by the TLS 1.2 and TLS 1.3 ticket states: UTF-8 in a
 * `<0..255>` vector, empty for none.
 */
import { utf8 } from '../wire/codec.js';

/** The longest name a ticket holds. */
export const MAX_TICKET_NAME = 255;

/** A name's bytes for the encoding (empty for none); RangeError when it does not fit. */
export function ticketNameBytes(what: string, name: string | undefined): Uint8Array {
  const bytes = utf8.encode(name ?? '');
  if (name === '' || bytes.length > MAX_TICKET_NAME) throw new RangeError(`${what} must be 1..${MAX_TICKET_NAME} bytes when present`);
  return bytes;
}

/** The name read back: undefined for an empty vector. */
export const ticketName = (bytes: Uint8Array): string | undefined => (bytes.length ? utf8.decode(bytes) : undefined);

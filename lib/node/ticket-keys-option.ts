/**
 * node:tls's `ticketKeys` server option as one of our ticket keys. node takes
 * 48 bytes (OpenSSL's layout: a 16-byte key name, a 16-byte HMAC key, a
 * 16-byte AES-128 key); our tickets are sealed with AES-256-GCM (or
 * ChaCha20-Poly1305) under a 16-byte name and a 32-byte key
 * (lib/tls12/ticket-keys.ts). The mapping is fixed and byte for byte:
 *
 *   name = bytes[0..16)    (the name node would put in its tickets)
 *   key  = bytes[16..48)   (node's HMAC key || AES key, as one 32-byte AEAD key)
 *
 * so every listener given the same 48 bytes seals and opens the same tickets,
 * and `ticketKeyFromNode(buf)` in `session: { ticketKeys: [...] }` is the same
 * key as `ticketKeys: buf`. Tickets are rxtls's format, not node's: a node:tls
 * server with the same bytes cannot open them, nor we node's.
 */
import { TICKET_KEY_LENGTH, TICKET_KEY_NAME_LENGTH, type TicketKey } from '../tls12/ticket-keys.js';

/** The length node:tls requires of `ticketKeys`. */
export const NODE_TICKET_KEYS_LENGTH = TICKET_KEY_NAME_LENGTH + TICKET_KEY_LENGTH;

/** The TicketKey the 48 bytes of node's `ticketKeys` stand for (see the file comment); RangeError for another length. */
export function ticketKeyFromNode(keys: Uint8Array): TicketKey {
  if (!(keys instanceof Uint8Array) || keys.length !== NODE_TICKET_KEYS_LENGTH) {
    throw new RangeError(`ticketKeys must be ${NODE_TICKET_KEYS_LENGTH} bytes (a 16-byte name and 32 bytes of key)`);
  }
  return { name: keys.slice(0, TICKET_KEY_NAME_LENGTH), key: keys.slice(TICKET_KEY_NAME_LENGTH) };
}

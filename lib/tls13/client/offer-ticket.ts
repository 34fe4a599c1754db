/**
 * Client: offering a TLS 1.3 ticket from an earlier connection (the
 * `session` option, one of that connection's `info.tickets`) in the
 * pre_shared_key extension (RFC 8446 §4.2.11), with its obfuscated age and
 * binder, and again after a HelloRetryRequest when the suite's hash allows.
 *
 * Tickets are single-use (RFC 8446 §C.4, against tracking by ticket): the
 * caller drops a ticket once it has offered it and keeps the new ones the
 * resumed connection brings (`info.tickets`). We do not enforce that: the
 * option is plain data.
 */
import type { HashFunctions } from '../../crypto/provider.js';
import type { Tls13SessionTicket } from '../../handshake/session-info.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { ClientConfig } from '../config.js';
import { withPskBinder } from '../psk-binder.js';
import { type CipherSuite, suiteByName } from '../suites.js';
import type { Transcript } from '../transcript.js';

export interface OfferedTicket {
  ticket: Tls13SessionTicket;
  /** The hash of the ticket's suite: the server must pick a suite with it to resume. */
  hashName: CipherSuite['hash'];
  hash: HashFunctions;
}

/** The configured ticket when it is a TLS 1.3 one we can still offer: for this server name, unexpired, a suite of its hash configured. */
export function ticketToOffer(config: ClientConfig, tls13: boolean): OfferedTicket | undefined {
  const ticket = config.session;
  if (!tls13 || ticket?.version !== 'TLSv1.3') return undefined;
  const hashName = suiteByName(ticket.suite).hash;
  if (!config.suites.some((s) => s.hash === hashName)) return undefined;
  if (ticket.serverName !== config.serverName) return undefined;
  if (config.clock() - ticket.receivedAt > ticket.lifetime * 1000) return undefined;
  return { ticket, hashName, hash: config.crypto.hash(hashName) };
}

/** `hello` with the ticket offered last; `before` is the transcript after a HelloRetryRequest. */
export function offerTicket(config: ClientConfig, hello: ClientHello, offered: OfferedTicket, before: Transcript | undefined): ClientHello {
  const { ticket } = offered;
  const age = Math.max(0, Math.floor(config.clock() - ticket.receivedAt));
  const identity = { identity: ticket.ticket, obfuscatedTicketAge: (age + ticket.ageAdd) >>> 0 };
  return withPskBinder(hello, { identity, psk: ticket.psk, hash: offered.hash, label: 'res binder' }, before);
}

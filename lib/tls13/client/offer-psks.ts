/**
 * Client: the PSKs offered in pre_shared_key (RFC 8446 §4.2.11), in this
 * order: a ticket from an earlier connection (the `session` option, one of
 * that connection's `info.tickets`, "res binder") and the external PSK of the
 * `psk` option ("ext binder"). Each carries its binder over the truncated
 * hello, and is offered again after a HelloRetryRequest when its hash is the
 * chosen suite's.
 *
 * Tickets are single-use (RFC 8446 §C.4, against tracking by ticket, and
 * §8.1 for 0-RTT): a ticket object is offered by one connection only; a
 * second connection given the same object makes a full handshake. The
 * resumed connection brings new tickets (`info.tickets`, `session$`). A copy
 * of the object (a ticket saved and loaded again) is another object: keep
 * one copy per use, as `--sess-in` does.
 */
import type { HashFunctions } from '../../crypto/provider.js';
import type { Tls13SessionTicket } from '../../handshake/session-info.js';
import type { ClientHello } from '../../wire/handshake.js';
import type { ClientConfig } from '../config.js';
import { type BinderLabel, withPskBinders } from '../psk-binder.js';
import { type CipherSuite, suiteByName } from '../suites.js';
import type { Transcript } from '../transcript.js';

export interface OfferedPsk {
  /** The PSK's hash: the server must pick a suite with it to use the PSK. */
  hashName: CipherSuite['hash'];
  hash: HashFunctions;
  key: Uint8Array;
  label: BinderLabel;
  /** Set for a ticket ("res binder"); an external PSK has none. */
  ticket?: Tls13SessionTicket;
  identity: Uint8Array;
}

/** Ticket objects already offered by a connection (weakly held: a dropped ticket is forgotten with it). */
const offered = new WeakSet<Tls13SessionTicket>();

/** What we can offer on a first TLS 1.3 hello: the configured ticket when still usable and never offered, then the external PSK. */
export function psksToOffer(config: ClientConfig, tls13: boolean): OfferedPsk[] {
  if (!tls13) return [];
  const offers: OfferedPsk[] = [];
  const ticket = usableTicket(config);
  if (ticket && !offered.has(ticket)) {
    offered.add(ticket);
    const hashName = suiteByName(ticket.suite).hash;
    offers.push({ hashName, hash: config.crypto.hash(hashName), key: ticket.psk, label: 'res binder', ticket, identity: ticket.ticket });
  }
  const { psk } = config;
  if (psk && config.suites.some((s) => s.hash === psk.hash)) {
    offers.push({ hashName: psk.hash, hash: config.crypto.hash(psk.hash), key: psk.key, label: 'ext binder', identity: psk.identity });
  }
  return offers;
}

/** The configured ticket when it is a TLS 1.3 one for this server name, unexpired, with a suite of its hash configured. */
function usableTicket(config: ClientConfig): Tls13SessionTicket | undefined {
  const ticket = config.session;
  if (ticket?.version !== 'TLSv1.3') return undefined;
  const hashName = suiteByName(ticket.suite).hash;
  if (!config.suites.some((s) => s.hash === hashName)) return undefined;
  if (ticket.serverName !== config.serverName) return undefined;
  if (config.clock() - ticket.receivedAt > ticket.lifetime * 1000) return undefined;
  return ticket;
}

/** `hello` with `offers` in a last pre_shared_key extension; `before` is the transcript after a HelloRetryRequest. */
export function offerPsks(config: ClientConfig, hello: ClientHello, offers: readonly OfferedPsk[], before: Transcript | undefined): ClientHello {
  if (offers.length === 0) return hello;
  const entries = offers.map((o) => ({ identity: { identity: o.identity, obfuscatedTicketAge: obfuscatedAge(config, o.ticket) }, psk: o.key, hash: o.hash, label: o.label }));
  return withPskBinders(hello, entries, before);
}

/** RFC 8446 §4.2.11: the ticket's age in ms plus ticket_age_add; 0 for an external PSK. */
function obfuscatedAge(config: ClientConfig, ticket: Tls13SessionTicket | undefined): number {
  if (!ticket) return 0;
  const age = Math.max(0, Math.floor(config.clock() - ticket.receivedAt));
  return (age + ticket.ageAdd) >>> 0;
}

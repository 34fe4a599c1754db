/**
 * Server: TLS 1.2 session tickets (RFC 5077). We keep no session cache: the
 * session's state travels sealed in the ticket (ticket-keys.ts), so any
 * server holding the keys resumes it.
 */
import type { ServerConfig } from '../../tls13/config.js';
import { HandshakeType, ProtocolVersion } from '../../wire/enums.js';
import type { Tls12NewSessionTicket } from '../../wire/tls12-messages.js';
import type { Tls12SessionKeys } from '../session-keys.js';
import { type Tls12TicketState, decodeTicketState, encodeTicketState } from '../ticket-state.js';
import type { Tls12Offer } from './offer.js';

/**
 * Tickets issued by another server of a fleet may carry an issuedAt a
 * little ahead of our wall clock; this much is still taken as issued now.
 */
const CLOCK_SKEW_MS = 60_000;

/** When a session began and how long it may be resumed: a renewed ticket keeps its session's terms. */
export interface TicketTerms {
  /** Wall-clock ms (config.date()), so servers of a fleet agree on a ticket's age. */
  issuedAt: number;
  /** Seconds. */
  lifetime: number;
}

/** The longest server name a ticket state holds (ticket-state.ts); SNI allows longer ones (RFC 6066 §3). */
const MAX_TICKET_NAME = 255;

/**
 * RFC 5077 §3.2: a ticket when the client asked for one (an empty or a full
 * session_ticket) and we are configured to issue them. A client whose server
 * name is too long to keep gets none: it could not resume under that name anyway.
 */
export function willIssueTicket(config: ServerConfig, offer: Tls12Offer): boolean {
  // A ticket does not carry the client's certificate: resuming would skip client authentication.
  if (config.clientAuth) return false;
  const nameFits = (offer.serverName?.length ?? 0) <= MAX_TICKET_NAME; // decodeServerName keeps ASCII only: one byte per character
  return offer.ticket !== undefined && config.tickets > 0 && config.ticketLifetime > 0 && nameFits;
}

/** Terms of a session starting now. */
export function freshTerms(config: ServerConfig): TicketTerms {
  return { issuedAt: config.date().getTime(), lifetime: config.ticketLifetime };
}

/**
 * A NewSessionTicket sealing `keys`' session. The hint is the time left
 * under `terms`: renewing a ticket on resumption never extends how long one
 * master secret lives.
 */
export function newSessionTicket(
  config: ServerConfig,
  keys: Tls12SessionKeys,
  session: { alpn?: string; serverName?: string },
  terms: TicketTerms,
): Tls12NewSessionTicket {
  const state: Tls12TicketState = {
    version: ProtocolVersion.TLS12,
    cipherSuite: keys.suite.code,
    masterSecret: keys.master,
    extendedMasterSecret: keys.extendedMasterSecret,
    issuedAt: terms.issuedAt,
    lifetime: terms.lifetime,
    alpn: session.alpn,
    serverName: session.serverName,
  };
  const ticket = config.ticketKeys.seal(encodeTicketState(state), config.crypto, config.random);
  const elapsed = Math.max(0, Math.floor((config.date().getTime() - terms.issuedAt) / 1000));
  // At least 1: a hint of 0 means "lifetime unspecified" (RFC 5077 §3.3).
  return { type: HandshakeType.new_session_ticket, lifetimeHint: Math.max(1, terms.lifetime - elapsed), ticket };
}

/**
 * The session state in the client's ticket, when it opens under our keys, is
 * a TLS 1.2 one and has not expired (under its own lifetime and the one
 * configured now, whichever is shorter); undefined otherwise. A ticket that fails
 * is normal (rotated keys, expiry, another server's ticket): the caller falls
 * back to a full handshake.
 */
export function openTicket(config: ServerConfig, ticket: Uint8Array): Tls12TicketState | undefined {
  if (ticket.length === 0) return undefined;
  const plain = config.ticketKeys.open(ticket, config.crypto);
  const state = plain && decodeTicketState(plain);
  if (!state || state.version !== ProtocolVersion.TLS12) return undefined;
  const age = config.date().getTime() - state.issuedAt;
  // A lifetime shortened in the config since the ticket was issued applies to it too.
  const lifetime = Math.min(state.lifetime, config.ticketLifetime);
  if (age < -CLOCK_SKEW_MS || age > lifetime * 1000) return undefined;
  return state;
}

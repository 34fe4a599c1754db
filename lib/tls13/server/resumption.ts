/**
 * Server: is an offered identity one of our tickets we may resume now
 * (RFC 8446 §4.6.1)? It must open under our ticket keys, be unexpired, have
 * an obfuscated age that agrees with our clock within the freshness window,
 * and name the server name asked for now. The ticket's suite fixes the hash
 * the chosen suite must have.
 */
import type { PskIdentity } from '../../wire/pre-shared-key.js';
import type { ServerConfig } from '../config.js';
import { SUITES, type CipherSuite } from '../suites.js';
import { type Tls13TicketState, decodeTls13TicketState } from '../ticket-state.js';
import type { ClientOffer } from './client-offer.js';

/**
 * How far the client's idea of a ticket's age may stray from ours (ms): a
 * round trip and clock drift. Older-looking hellos are replays or stale.
 */
export const FRESHNESS_WINDOW_MS = 10_000;
/** Tickets of another server of the fleet may carry an issuedAt a little ahead of our wall clock. */
const CLOCK_SKEW_MS = 60_000;

export function usableTicket(config: ServerConfig, id: PskIdentity, offer: ClientOffer): (Tls13TicketState & { hashName: CipherSuite['hash'] }) | undefined {
  const plain = config.ticketKeys.open(id.identity, config.crypto);
  const state = plain && decodeTls13TicketState(plain);
  if (!state) return undefined;
  const age = config.date().getTime() - state.issuedAt;
  const lifetime = Math.min(state.lifetime, config.ticketLifetime);
  if (age < -CLOCK_SKEW_MS || age > lifetime * 1000) return undefined;
  const clientAge = (id.obfuscatedTicketAge - state.ageAdd) >>> 0;
  if (Math.abs(clientAge - Math.max(0, age)) > FRESHNESS_WINDOW_MS) return undefined;
  const ticketSuite = SUITES.find((s) => s.code === state.cipherSuite);
  if (!ticketSuite || state.serverName !== offer.serverName) return undefined;
  return { ...state, hashName: ticketSuite.hash };
}

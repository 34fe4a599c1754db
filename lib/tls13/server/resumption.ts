/**
 * Server: resuming with one of our tickets (RFC 8446 §4.2.11, §4.6.1). The
 * first identity that opens under our ticket keys, has not expired, whose
 * obfuscated age agrees with our clock within the freshness window, whose
 * suite has the hash of the one chosen and whose server name is the one
 * asked for now, is selected; its binder must verify (decrypt_error if not).
 * Anything else about a ticket means a full handshake, never an error.
 */
import { TlsError, illegalParameter } from '../../errors.js';
import { equalBytes } from '../../wire/codec.js';
import { ExtensionType as X } from '../../wire/enums.js';
import { decodePskModes, findExtension } from '../../wire/extension.js';
import type { ClientHello } from '../../wire/handshake.js';
import { type PskIdentity, decodeOfferedPsks } from '../../wire/pre-shared-key.js';
import type { ServerConfig } from '../config.js';
import { computeBinder, truncateHello } from '../psk-binder.js';
import { SUITES, type CipherSuite } from '../suites.js';
import { type Tls13TicketState, decodeTls13TicketState } from '../ticket-state.js';
import type { Transcript } from '../transcript.js';
import type { ClientOffer } from './client-offer.js';

/** psk_key_exchange_modes (RFC 8446 §4.2.9). */
export const PSK_KE = 0;
export const PSK_DHE_KE = 1;

/**
 * How far the client's idea of a ticket's age may stray from ours (ms): a
 * round trip and clock drift. Older-looking hellos are replays or stale.
 */
export const FRESHNESS_WINDOW_MS = 10_000;
/** Tickets of another server of the fleet may carry an issuedAt a little ahead of our wall clock. */
const CLOCK_SKEW_MS = 60_000;

export interface AcceptedPsk {
  /** The PSK for the key schedule. */
  key: Uint8Array;
  /** selected_identity for the ServerHello. */
  index: number;
  state: Tls13TicketState;
}

/** Checks where the pre_shared_key extension sits and what goes with it; returns the offered PSKs, if any. */
export function offeredPsks(hello: ClientHello) {
  const data = findExtension(hello.extensions, X.pre_shared_key);
  if (!data) return undefined;
  if (hello.extensions[hello.extensions.length - 1]!.type !== X.pre_shared_key) throw illegalParameter('pre_shared_key is not the last extension');
  const modes = findExtension(hello.extensions, X.psk_key_exchange_modes);
  if (!modes) throw new TlsError('missing_extension', 'pre_shared_key without psk_key_exchange_modes');
  return { offered: decodeOfferedPsks(data), modes: decodePskModes(modes) };
}

export function acceptTicket(
  config: ServerConfig,
  hello: ClientHello,
  raw: Uint8Array,
  transcript: Transcript,
  suite: CipherSuite,
  offer: ClientOffer,
): AcceptedPsk | undefined {
  const psks = offeredPsks(hello);
  // A server that authenticates clients resumes nothing: the ticket does not say who the client was.
  if (config.clientAuth) return undefined;
  // psk_ke (no (EC)DHE) is not offered by us: no forward secrecy.
  if (!psks || !psks.modes.includes(PSK_DHE_KE)) return undefined;
  const { identities, binders } = psks.offered;
  for (let index = 0; index < identities.length; index++) {
    const state = usableTicket(config, identities[index]!, suite, offer);
    if (!state) continue;
    const hash = transcript.hashFunctions;
    const expected = computeBinder(hash, state.psk, 'res binder', transcript.hashWith(truncateHello(raw, binders)));
    if (!equalBytes(expected, binders[index]!)) throw new TlsError('decrypt_error', 'PSK binder does not verify');
    return { key: state.psk, index, state };
  }
  return undefined;
}

function usableTicket(config: ServerConfig, id: PskIdentity, suite: CipherSuite, offer: ClientOffer): Tls13TicketState | undefined {
  const plain = config.ticketKeys.open(id.identity, config.crypto);
  const state = plain && decodeTls13TicketState(plain);
  if (!state) return undefined;
  const age = config.date().getTime() - state.issuedAt;
  const lifetime = Math.min(state.lifetime, config.ticketLifetime);
  if (age < -CLOCK_SKEW_MS || age > lifetime * 1000) return undefined;
  const clientAge = (id.obfuscatedTicketAge - state.ageAdd) >>> 0;
  if (Math.abs(clientAge - Math.max(0, age)) > FRESHNESS_WINDOW_MS) return undefined;
  const ticketSuite = SUITES.find((s) => s.code === state.cipherSuite);
  if (!ticketSuite || ticketSuite.hash !== suite.hash) return undefined;
  if (state.serverName !== offer.serverName) return undefined;
  return state;
}

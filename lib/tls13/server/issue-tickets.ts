/**
 * Server: NewSessionTicket after the handshake (RFC 8446 §4.6.1). The ticket
 * is stateless: the session's resumption PSK and terms sealed with the
 * config's TicketKeySet (ticket-state.ts), so every server holding the keys
 * resumes it and a rotated-out key ends it.
 */
import { ExtensionType, HandshakeType } from '../../wire/enums.js';
import { Writer } from '../../wire/codec.js';
import type { Extension } from '../../wire/extension.js';
import type { ServerConfig } from '../config.js';
import type { ApplicationKeys } from '../connected.js';
import type { Context } from '../context.js';
import { encodeTls13TicketState } from '../ticket-state.js';
import { MAX_TICKET_NAME } from '../../handshake/ticket-names.js';

/** RFC 8446 §4.6.1: no ticket lives longer than seven days. */
const MAX_TICKET_LIFETIME = 604800;

/** RFC 8446 §4.2.10: a ticket allows 0-RTT with an early_data extension naming max_early_data_size. */
function earlyDataTerms(config: ServerConfig): Extension[] {
  if (config.maxEarlyData === 0) return [];
  return [{ type: ExtensionType.early_data, data: new Writer(4).u32(config.maxEarlyData).finish().slice() }];
}

export function issueTickets(ctx: Context<ServerConfig>, keys: ApplicationKeys): void {
  const { config, info } = ctx;
  const lifetime = Math.min(config.ticketLifetime, MAX_TICKET_LIFETIME);
  // A ticket holds no client certificate: a server that authenticates clients issues none (as for TLS 1.2), so no session resumes without it.
  if (lifetime === 0 || config.clientAuth || (info.serverName?.length ?? 0) > MAX_TICKET_NAME) return;
  for (let i = 0; i < config.tickets; i++) {
    const ageAdd = new DataView(config.random(4).buffer).getUint32(0);
    const nonce = Uint8Array.of(i);
    const state = encodeTls13TicketState({
      cipherSuite: keys.suite.code,
      psk: keys.schedule.ticketPsk(keys.resumption, nonce),
      issuedAt: config.date().getTime(),
      lifetime,
      ageAdd,
      alpn: info.alpn,
      serverName: info.serverName,
    });
    const ticket = config.ticketKeys.seal(state, config.crypto, config.random);
    ctx.send({ type: HandshakeType.new_session_ticket, lifetime, ageAdd, nonce, ticket, extensions: earlyDataTerms(config) }, undefined);
  }
}

/**
 * After the handshake, either role: KeyUpdate (RFC 8446 §4.6.3) in both
 * directions and, on the client, NewSessionTicket (§4.6.1). It holds the
 * connection's keying material exporter (§7.5).
 */
import { illegalParameter, unexpectedMessage } from '../errors.js';
import type { HoldsExporter, KeyingMaterialExporter } from '../handshake/keying-material-exporter.js';
import { ExtensionType as X, HandshakeType } from '../wire/enums.js';
import { decodeBody, findExtension } from '../wire/extension.js';
import type { HandshakeMessage, NewSessionTicket } from '../wire/handshake.js';
import type { ClientConfig, ServerConfig } from './config.js';
import type { Context, PostHandshake, State } from './context.js';
import { type KeySchedule, nextTrafficSecret } from './key-schedule.js';
import { Tls13Exporter } from './exporter.js';
import type { CipherSuite } from './suites.js';
import { installReadSecret, installWriteSecret } from './traffic-protection.js';

export interface ApplicationKeys {
  schedule: KeySchedule;
  suite: CipherSuite;
  readSecret: Uint8Array;
  writeSecret: Uint8Array;
  resumption: Uint8Array;
  /** exporter_master_secret (RFC 8446 §7.1). */
  exporter: Uint8Array;
}

/** RFC 8446 §4.6.1: ticket lifetimes above seven days are invalid. */
const MAX_TICKET_LIFETIME = 604800;

export class Connected implements State<ClientConfig | ServerConfig>, PostHandshake, HoldsExporter {
  /** We offer no post-handshake authentication: a server sends tickets and KeyUpdates, a client KeyUpdates. */
  readonly expects: readonly number[];

  readonly exporter: KeyingMaterialExporter;

  constructor(private readonly role: 'client' | 'server', private readonly keys: ApplicationKeys) {
    this.exporter = new Tls13Exporter(keys.schedule.hash, keys.exporter);
    this.expects = role === 'client' ? [HandshakeType.new_session_ticket, HandshakeType.key_update] : [HandshakeType.key_update];
  }

  handle(ctx: Context, msg: HandshakeMessage): State<ClientConfig | ServerConfig> {
    if (msg.type === HandshakeType.key_update) {
      this.keys.readSecret = nextTrafficSecret(this.keys.schedule.hash, this.keys.readSecret);
      installReadSecret(ctx, this.keys.readSecret, ctx.readEpoch + 1);
      // One reply per request, unless our reply to an earlier one is still unsent: it answers both (RFC 8446 §4.6.3).
      if (msg.updateRequested && ctx.claimKeyUpdateReply()) this.updateWriteKey(ctx, false);
      return this;
    }
    if (msg.type === HandshakeType.new_session_ticket && this.role === 'client') {
      this.keepTicket(ctx, msg);
      return this;
    }
    throw unexpectedMessage(`handshake message ${msg.type} after the handshake`);
  }

  updateWriteKey(ctx: Context, requestPeerUpdate: boolean): void {
    ctx.send({ type: HandshakeType.key_update, updateRequested: requestPeerUpdate }, undefined);
    this.keys.writeSecret = nextTrafficSecret(this.keys.schedule.hash, this.keys.writeSecret);
    installWriteSecret(ctx, this.keys.writeSecret, ctx.writeEpoch + 1);
  }

  private keepTicket(ctx: Context, msg: NewSessionTicket): void {
    if (msg.lifetime > MAX_TICKET_LIFETIME) throw illegalParameter('ticket lifetime over seven days');
    const early = findExtension(msg.extensions, X.early_data);
    const tickets = ctx.info.tickets;
    tickets.push({
      version: 'TLSv1.3',
      ticket: msg.ticket.slice(),
      lifetime: msg.lifetime,
      ageAdd: msg.ageAdd,
      nonce: msg.nonce.slice(),
      psk: this.keys.schedule.ticketPsk(this.keys.resumption, msg.nonce),
      suite: this.keys.suite.name,
      serverName: ctx.info.serverName,
      alpn: ctx.info.alpn,
      receivedAt: ctx.config.clock(),
      maxEarlyData: early ? decodeBody(early, 'early_data', (r) => r.u32()) : 0,
    });
    // Keep the newest few: a server sending tickets without end must not make us hold every one.
    const max = (ctx.config as ClientConfig).maxTickets;
    if (tickets.length > max) tickets.splice(0, tickets.length - max);
  }
}

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
import { PostHandshakeRequest, answerPostHandshakeRequest } from './post-handshake-auth.js';
import type { Transcript } from './transcript.js';

export interface ApplicationKeys {
  schedule: KeySchedule;
  suite: CipherSuite;
  readSecret: Uint8Array;
  writeSecret: Uint8Array;
  resumption: Uint8Array;
  /** exporter_master_secret (RFC 8446 §7.1). */
  exporter: Uint8Array;
  /** The handshake transcript through the client's Finished: post-handshake authentication forks it. */
  transcript?: Transcript;
  /** The client offered post_handshake_auth (RFC 8446 §4.2.6). */
  postHandshakeAuth?: boolean;
}

/** RFC 8446 §4.6.1: ticket lifetimes above seven days are invalid. */
const MAX_TICKET_LIFETIME = 604800;

export class Connected implements State<ClientConfig | ServerConfig>, PostHandshake, HoldsExporter {
  readonly exporter: KeyingMaterialExporter;
  /** Server: our post-handshake CertificateRequest waiting for its answer. */
  private request?: PostHandshakeRequest;

  constructor(private readonly role: 'client' | 'server', private readonly keys: ApplicationKeys) {
    this.exporter = new Tls13Exporter(keys.schedule.hash, keys.exporter);
  }

  /**
   * A server takes KeyUpdates, and the answer to its outstanding
   * CertificateRequest; a client takes tickets, KeyUpdates and, when it
   * offered post_handshake_auth, CertificateRequests.
   */
  get expects(): readonly number[] {
    if (this.role === 'server') return [HandshakeType.key_update, ...(this.request?.expects ?? [])];
    return [HandshakeType.new_session_ticket, HandshakeType.key_update, ...(this.keys.postHandshakeAuth ? [HandshakeType.certificate_request] : [])];
  }

  handle(ctx: Context, msg: HandshakeMessage, raw: Uint8Array): State<ClientConfig | ServerConfig> {
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
    if (msg.type === HandshakeType.certificate_request && this.role === 'client' && this.keys.postHandshakeAuth) {
      answerPostHandshakeRequest(ctx as Context<ClientConfig>, this.keys, msg, raw);
      return this;
    }
    if (this.request?.expects.includes(msg.type)) {
      if (this.request.handle(ctx as Context<ServerConfig>, msg, raw)) this.request = undefined;
      return this;
    }
    throw unexpectedMessage(`handshake message ${msg.type} after the handshake`);
  }

  /**
   * Server: asks the client for a certificate now (RFC 8446 §4.6.2); its
   * answer arrives with the application data. Usage errors (no
   * post_handshake_auth from the client, a request still unanswered) throw a plain Error.
   */
  requestClientCertificate(ctx: Context<ServerConfig>): void {
    if (this.role !== 'server') throw new Error('only a server asks for a client certificate');
    if (!ctx.config.clientAuth) throw new Error('requestClientCertificate() needs `requestCert` (and `ca`) in the server options');
    if (!this.keys.postHandshakeAuth) throw new Error('the client did not offer post-handshake authentication (post_handshake_auth)');
    if (this.request) throw new Error('a certificate request is still waiting for its answer');
    this.request = PostHandshakeRequest.send(ctx, this.keys);
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
